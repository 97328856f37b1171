"""The restore drill (docs/backups.md): back a small portal up, restore it into a new, empty
database and MEDIA_ROOT with `manage.py restore` in another process, as an operator would, and
check the result independently: every table's row count, the audit chain, a stored report's hash
and the evidence files byte for byte. On PostgreSQL (CI) the restore goes into a throwaway
database created and dropped here; on SQLite into a file."""

import datetime
import filecmp
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.utils import ConnectionHandler

from assessment.models import Evidence
from assessment.services import evidence as evidence_service
from partybuild import backups
from reports import services as report_services
from tests.builders import approved_period
from tests.factories import FrameworkFactory, PeriodFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = connection.vendor == "postgresql"


@pytest.fixture
def portal(tree, alice, bob, dave, erin):
    """A framework, a period approved and rolled up, evidence on the next period's draft and a
    finished PDF report: each kind of thing a backup must carry."""
    framework = FrameworkFactory()
    approved_period(
        framework,
        2026,
        {
            tree.a1a: (alice, {"C1.01": "12", "C2.01": "yes"}),
            tree.a1b: (bob, {"C1.01": "9", "C2.01": "no"}),
        },
        reviewer=erin,
    )
    draft = PeriodFactory(framework=framework, year=2027).submissions.get(organization=tree.a1a)
    for name in ("minutes.pdf", "photo.pdf"):  # two contents, two stored files
        upload = SimpleUploadedFile(name, b"%PDF-1.4\n" + name.encode(), "application/pdf")
        evidence_service.add_evidence(draft, "C2.01", upload, acting_user=alice)
    report = report_services.request_report(
        acting_user=dave,
        organization=tree.a,
        format="pdf",
        period_kind="year",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
    )
    report.refresh_from_db()
    assert report.status == "done", report.error
    return report


@pytest.fixture
def target(tmp_path):
    """The empty database and MEDIA_ROOT to restore into, as the environment of a process, and a
    connection to that database; the throwaway PostgreSQL database is dropped afterwards."""
    env = {**os.environ, "MEDIA_ROOT": str(tmp_path / "restored-media")}
    if POSTGRES:
        name = f"{connection.settings_dict['NAME']}_drill"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        database = connection.settings_dict
        user, secret = (
            quote(database["USER"] or "", safe=""),
            quote(database["PASSWORD"] or "", safe=""),
        )
        env["DATABASE_URL"] = (
            f"postgres://{user}:{secret}@{database['HOST']}:{database['PORT'] or 5432}/{name}"
        )
    else:
        name = str(tmp_path / "restored.sqlite3")
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = name
    handler = ConnectionHandler({"default": {**connection.settings_dict, "NAME": name}})
    yield env, handler["default"]
    handler.close_all()
    if POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def row_counts(database) -> dict[str, int]:
    with database.cursor() as cursor:
        tables = database.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def audit_hashes(database) -> list[tuple]:
    with database.cursor() as cursor:
        cursor.execute("SELECT id, prev_hash, hash FROM audit_auditentry ORDER BY id")
        return cursor.fetchall()


def test_the_restore_drill(portal, target, tmp_path):
    env, restored = target
    folder = backups.backup(tmp_path / "backups")
    source_counts = row_counts(connection)

    done = manage(env, "restore", str(folder))

    # The command verified the chain (exit 1 otherwise); the rows it walked are the source's.
    assert done.returncode == 0, done.stderr
    assert f"{source_counts['audit_auditentry']} " in done.stdout
    assert row_counts(restored) == source_counts
    assert audit_hashes(restored) == audit_hashes(connection)
    media = Path(env["MEDIA_ROOT"])
    with restored.cursor() as cursor:
        cursor.execute("SELECT file, sha256 FROM reports_report WHERE id = %s", [portal.pk])
        report_file, report_sha256 = cursor.fetchone()
    assert report_sha256 == portal.sha256
    assert hashlib.sha256((media / report_file).read_bytes()).hexdigest() == portal.sha256
    evidence = set(Evidence.objects.values_list("file", flat=True))
    assert len(evidence) >= 2
    for name in evidence:
        assert filecmp.cmp(Path(settings.MEDIA_ROOT) / name, media / name, shallow=False)

    # Not into a database that has tables, unless forced.
    with restored.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET first_name = 'kept'")
    again = manage(env, "restore", str(folder))
    assert again.returncode == 1
    assert "--force" in again.stderr
    with restored.cursor() as cursor:
        cursor.execute("SELECT DISTINCT first_name FROM auth_user")
        assert cursor.fetchall() == [("kept",)]
    forced = manage(env, "restore", "--force", str(folder))
    assert forced.returncode == 0, forced.stderr
    assert row_counts(restored) == source_counts

    # A damaged backup is refused before anything is restored.
    stored = media / next(iter(evidence))
    copy = folder / backups.FILES / next(iter(evidence))
    copy.write_bytes(b"%PDF-1.4 changed")
    with pytest.raises(CommandError, match=copy.name):
        call_command("restore", str(folder), check=True)
    damaged = manage(env, "restore", "--force", str(folder))
    assert damaged.returncode == 1
    assert stored.read_bytes() != b"%PDF-1.4 changed"


@pytest.fixture
def evidence(tree, alice):
    framework = FrameworkFactory()
    draft = PeriodFactory(framework=framework, year=2027).submissions.get(organization=tree.a1a)
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n", "application/pdf")
    return evidence_service.add_evidence(draft, "C2.01", upload, acting_user=alice)


def test_a_file_named_in_the_database_but_gone_fails_the_backup(evidence, tmp_path):
    """Evidence removed between the dump and the copy: the backup starts again, and gives up
    rather than keep rows whose files it does not have."""
    name = evidence.file.name
    (Path(settings.MEDIA_ROOT) / name).unlink()

    with pytest.raises(backups.BackupError, match=name):
        backups.backup(tmp_path / "backups")
    assert not list((tmp_path / "backups").iterdir())
