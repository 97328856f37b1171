"""Backups of the portal: the database and the stored files together, and their restore.

A backup is one folder, `partybuild-<UTC time>/`, holding

- `database.dump` (PostgreSQL: `pg_dump` in its custom format) or `database.sqlite3` (SQLite:
  the online backup API, safe while the portal runs);
- `files/`, a copy of MEDIA_ROOT (evidence, attachments, documents, reports);
- `manifest.json`: the SHA-256 and size of the database file and of every copied file, the row
  count of every table and the files the database's rows name, all read at the dump's snapshot.

Why the database first and the files after is consistent: the portal writes a stored file before
the row that names it (in the row's transaction, before its commit) and never rewrites a stored
file (evidence is named by its hash, a finished report is locked). Every row in the dump therefore
names a file that existed when the snapshot was taken, and the copy made after finds it. Files
written after the snapshot are copied too; no row of the dump names them, so they are harmless
orphans in a restored portal. The one way to lose a file is its removal between the dump and the
copy (evidence taken off a submission whose content nothing else uses): the backup then checks
that every named file was copied and, if not, starts again.

A restore checks the backup's hashes before touching anything, refuses a database that has tables
(or a MEDIA_ROOT that has files) unless forced, loads the database, copies the files, and then
verifies the result (`verify`): the row counts equal the manifest's, every file is there with its
hash, every finished report's file still has the hash its row records, and the audit chain is
intact.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, models, transaction
from django.utils.translation import gettext as _

from audit.services import verify_chain
from reports.choices import ReportStatus
from reports.models import Report

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
CHUNK = 1024 * 1024
ATTEMPTS = 3
# Work files of running report attempts: moved into place when done, never named by a row.
SKIPPED_FOLDERS = ("reports/tmp",)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the operator's language."""


@dataclass
class Verification:
    """What a restored portal was checked for, and what did not hold."""

    tables: int = 0
    rows: int = 0
    files: int = 0
    reports: int = 0
    audit_entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# -- reading the snapshot -----------------------------------------------------------------------


def _file_columns() -> list[tuple[str, str]]:
    """(table, column) of every stored-file field of every installed model."""
    columns = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.FileField):
                columns.append((model._meta.db_table, model_field.column))
    return columns


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _facts(cursor, tables: Iterable[str]) -> tuple[dict[str, int], list[str]]:
    """Row counts of `tables` and the stored files their rows name, through one DB-API cursor
    (so, on PostgreSQL, within the snapshot its transaction holds)."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    named: set[str] = set()
    for table, column in _file_columns():
        if table in counts:
            cursor.execute(
                f"SELECT DISTINCT {_quote(column)} FROM {_quote(table)} "
                f"WHERE {_quote(column)} <> ''"
            )
            named.update(row[0] for row in cursor.fetchall())
    return counts, sorted(named)


def _pg_environment(database: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the configured database, so no password goes on a command line."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(_("%(program)s is not installed.") % {"program": command[0]})
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": command[0], "error": done.stderr.strip()[-2000:]}
        )


def _dump_postgresql(target: Path) -> tuple[dict[str, int], list[str]]:
    """pg_dump at a snapshot this connection exports; counts and named files at the same one."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
            _pg_environment(connection.settings_dict),
        )
        return _facts(cursor, connection.introspection.table_names(cursor))


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return [row[0] for row in cursor.fetchall()]


def _dump_sqlite(target: Path) -> tuple[dict[str, int], list[str]]:
    """SQLite's online backup into `target`; counts and named files are read from the copy."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        return _facts(cursor, _sqlite_tables(cursor))
    finally:
        copy.close()


# -- files ----------------------------------------------------------------------------------------


def _digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _stored_files(root: Path) -> list[str]:
    """Paths (relative, with /) of the regular files under `root`, work folders left out."""
    found = []
    for folder, subfolders, names in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        subfolders[:] = sorted(
            name
            for name in subfolders
            if f"{relative}/{name}".removeprefix("./") not in SKIPPED_FOLDERS
        )
        for name in sorted(names):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return found


def _copy_files(source: Path, target: Path) -> dict[str, dict[str, Any]]:
    """Copy every stored file, hashing what was written; a file gone meanwhile is left out."""
    copied = {}
    for name in _stored_files(source) if source.is_dir() else []:
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copyfile(source / name, destination)
        except FileNotFoundError:
            continue
        sha256, size = _digest(destination)
        copied[name] = {"sha256": sha256, "size": size}
    return copied


# -- backup ---------------------------------------------------------------------------------------


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor}
        )
    return vendor


def _attempt(folder: Path) -> dict[str, Any]:
    vendor = engine()
    database = folder / (PG_DUMP if vendor == "postgresql" else SQLITE_COPY)
    started = datetime.datetime.now(tz=datetime.UTC)
    counts, named = (_dump_postgresql if vendor == "postgresql" else _dump_sqlite)(database)
    files = _copy_files(Path(settings.MEDIA_ROOT), folder / FILES)
    sha256, size = _digest(database)
    return {
        "format": FORMAT,
        "engine": vendor,
        "created_at": started.isoformat(),
        "database": {"file": database.name, "sha256": sha256, "size": size},
        "tables": counts,
        "named_files": named,
        "files": files,
    }


def backup(into: Path) -> Path:
    """Back the portal up into a new folder under `into`; returns that folder."""
    into.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = into / f"partybuild-{stamp}"
    for _attempt_number in range(ATTEMPTS):
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        manifest = _attempt(folder)
        missing = [name for name in manifest["named_files"] if name not in manifest["files"]]
        if not missing:
            (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
            return folder
    shutil.rmtree(folder)
    raise BackupError(
        _("Files named in the database disappeared during the backup (%(names)s); try again.")
        % {"names": ", ".join(missing[:5])}
    )


# -- restore --------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            _("%(folder)s is not a backup: %(error)s") % {"folder": folder, "error": error}
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError(_("This backup's format is not one this version can restore."))
    return manifest


def check_backup(folder: Path) -> dict[str, Any]:
    """The manifest, once the database file and every stored file match their recorded hashes."""
    manifest = read_manifest(folder)
    expected = [(folder / manifest["database"]["file"], manifest["database"]["sha256"])]
    expected += [
        (folder / FILES / name, meta["sha256"]) for name, meta in manifest["files"].items()
    ]
    for path, sha256 in expected:
        if not path.is_file() or _digest(path)[0] != sha256:
            raise BackupError(
                _("The backup is damaged: %(path)s is missing or changed.") % {"path": path}
            )
    return manifest


def _restore_postgresql(dump: Path, *, force: bool) -> None:
    command = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
    if force:
        command += ["--clean", "--if-exists"]
    database = connection.settings_dict
    connections.close_all()
    _run([*command, f"--dbname={database['NAME']}", str(dump)], _pg_environment(database))


def _restore_sqlite(copy: Path) -> None:
    name = str(connection.settings_dict["NAME"])
    connections.close_all()
    source, target = sqlite3.connect(copy), sqlite3.connect(name)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def restore(folder: Path, *, force: bool = False) -> Verification:
    """Restore the backup in `folder` into the configured database and MEDIA_ROOT, then verify."""
    manifest = check_backup(folder)
    if manifest["engine"] != engine():
        raise BackupError(
            _("This is a %(backup)s backup; the portal's database is %(database)s.")
            % {"backup": manifest["engine"], "database": engine()}
        )
    media = Path(settings.MEDIA_ROOT)
    if not force:
        if connection.introspection.table_names():
            raise BackupError(
                _("The database is not empty: restore into an empty one, or use --force.")
            )
        if media.is_dir() and _stored_files(media):
            raise BackupError(
                _("MEDIA_ROOT holds files: restore into an empty one, or use --force.")
            )
    dump = folder / manifest["database"]["file"]
    if manifest["engine"] == "postgresql":
        _restore_postgresql(dump, force=force)
    else:
        _restore_sqlite(dump)
    for name in manifest["files"]:
        destination = media / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / FILES / name, destination)
    return verify(manifest)


def verify(manifest: dict[str, Any]) -> Verification:
    """Check the configured database and MEDIA_ROOT against a backup's manifest."""
    result = Verification()
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts, _named = _facts(cursor, tables)
    for table, rows in manifest["tables"].items():
        if counts.get(table) != rows:
            result.problems.append(
                _("Table %(table)s has %(found)s rows, the backup %(rows)s.")
                % {"table": table, "found": counts.get(table, "-"), "rows": rows}
            )
    result.tables, result.rows = len(counts), sum(counts.values())
    media = Path(settings.MEDIA_ROOT)
    for name, meta in manifest["files"].items():
        path = media / name
        if not path.is_file() or _digest(path)[0] != meta["sha256"]:
            result.problems.append(_("The file %(name)s is missing or differs.") % {"name": name})
        result.files += 1
    for report in Report.objects.filter(status=ReportStatus.DONE).exclude(file=""):
        path = media / report.file.name
        if not path.is_file() or _digest(path)[0] != report.sha256:
            result.problems.append(
                _("Report #%(id)s no longer matches its SHA-256.") % {"id": report.pk}
            )
        result.reports += 1
    chain = verify_chain()
    result.audit_entries = chain.entries
    if not chain.intact:
        result.problems.append(chain.message)
    return result
