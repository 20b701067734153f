"""The search indexes' triggers and functions, (re)installed from meetings/search/index.py.

Until now a database held the text of whichever migration, repair or bulk load last wrote
each trigger: the same rules, in differing copies. This installs the module's text on either
database (each trigger dropped and made again, each function replaced), so that the module
is what every database holds; tests/meetings/search/test_index.py checks it. The rules are
unchanged, so no index row is recomputed.

Unlike the earlier search migrations, this one reads the module rather than a copy. A later
change to that text needs a migration of its own that installs it again and records the
module's new ``index.fingerprint()``: the tests fail until the latest such migration's
``FINGERPRINT`` is the module's.
"""

from django.db import migrations

# index.fingerprint() of the text this migration was written to install.
FINGERPRINT = "ed986b274d4b6655"


def install(apps, schema_editor):
    from meetings.search import index

    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = index.pg_install()
    elif vendor == "sqlite":
        statements = index.sqlite_install()
    else:
        return
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0014_sourcedocument_shape_egenda")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
