"""Indexes for sorting the audit trail by kind, user and target (each with the id that breaks
ties), so that a page of the auditors' list is read off an index however long the trail.

On PostgreSQL they are built CONCURRENTLY: every audited change appends to this table, and a
plain CREATE INDEX would hold those writes for as long as the build over a long trail takes.
Other databases (SQLite for quick test runs) build them plainly.
"""

from django.db import migrations, models

INDEXES = [
    models.Index(fields=["kind", "id"], name="audit_kind_id"),
    models.Index(fields=["actor_name", "id"], name="audit_actor_id"),
    models.Index(fields=["target", "id"], name="audit_target_id"),
]


def _add(index: models.Index):
    def forwards(apps, schema_editor):
        model = apps.get_model("audit", "AuditEntry")
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, index, concurrently=True)
        else:
            schema_editor.add_index(model, index)

    def backwards(apps, schema_editor):
        model = apps.get_model("audit", "AuditEntry")
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, index, concurrently=True)
        else:
            schema_editor.remove_index(model, index)

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AddIndex("auditentry", index)],
        database_operations=[migrations.RunPython(forwards, backwards)],
    )


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("audit", "0003_refuse_truncate")]

    operations = [_add(index) for index in INDEXES]
