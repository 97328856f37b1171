"""On PostgreSQL, the database also refuses TRUNCATE of the audit trail.

A row trigger never fires for TRUNCATE, so 0002 left the whole table removable in one statement.
A statement-level trigger closes that. The table's owner can still disable the trigger first,
a deliberate act that the hash chain's checkpoint reveals (docs/audit.md); the test suite does
exactly that around its flushes (tests/conftest.py). Other databases get no trigger.
"""

from django.db import migrations

TRIGGER = """
CREATE TRIGGER audit_entry_no_truncate
BEFORE TRUNCATE ON audit_auditentry
FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = "DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
