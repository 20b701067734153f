"""The import contracts of pyproject.toml hold: ``ingest`` uses ``meetings`` and never the
reverse, no module takes part in an import cycle, and only ``meetings.search`` reaches the
database backends. ``make lint`` checks the same; here the suite does too."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_the_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
