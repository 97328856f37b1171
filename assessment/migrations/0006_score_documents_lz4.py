"""Subject scores keep their indicator results and inputs as large JSON documents (about 10 KB
each), which PostgreSQL compresses out of line. lz4 compresses them about twice as fast as the
default pglz and reads them back faster; a full recompute of 10,000 subjects stores ~100 MB of
them. PostgreSQL builds without lz4 keep pglz; other databases are not concerned."""

from django.db import migrations

COLUMNS = ("indicators", "inputs", "dimensions")


def compression(method: str) -> str:
    alter = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION {method}" for column in COLUMNS)
    return f"""
        DO $$ BEGIN
            ALTER TABLE assessment_subjectscore {alter};
        EXCEPTION WHEN feature_not_supported THEN
            RAISE NOTICE 'lz4 is not available: subject scores keep pglz';
        END $$;
    """


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(compression("lz4"))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(compression("pglz"))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0005_score_run_chunks")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
