"""manage.py backup DIR: the database and the stored files, together and consistent, into DIR."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from partybuild import backups


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump at one snapshot, or SQLite's online backup) and then "
        "MEDIA_ROOT, with a manifest of hashes and row counts, into a new folder under DIR."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options) -> None:
        try:
            folder = backups.backup(directory)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        manifest = backups.read_manifest(folder)
        self.stdout.write(
            _("Backed up %(rows)s rows in %(tables)s tables and %(files)s files into %(folder)s")
            % {
                "rows": sum(manifest["tables"].values()),
                "tables": len(manifest["tables"]),
                "files": len(manifest["files"]),
                "folder": folder,
            }
        )
        # The folder alone on the last line, for scripts: `backup DIR | tail -1`.
        self.stdout.write(str(folder))
