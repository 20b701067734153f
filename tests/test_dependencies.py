"""Dependencies between the apps point one way: ``ingest`` uses ``meetings``, never the reverse."""

import ast
from pathlib import Path

from django.conf import settings

MEETINGS = Path(settings.BASE_DIR) / "meetings"
# Commands that build sample archives with the import; they are to leave ``meetings``.
NOT_YET_MOVED = {
    "management/commands/generate_archive.py",
    "management/commands/benchmark_search.py",
}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module)
    return found


def test_meetings_imports_nothing_of_ingest():
    offending = {}
    for path in sorted(MEETINGS.rglob("*.py")):
        name = path.relative_to(MEETINGS).as_posix()
        if name in NOT_YET_MOVED:
            continue
        ingest = sorted(m for m in imported_modules(path) if m.split(".")[0] == "ingest")
        if ingest:
            offending[name] = ingest
    assert offending == {}
