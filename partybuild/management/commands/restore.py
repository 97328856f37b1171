"""manage.py restore FOLDER: a backup into an empty database and MEDIA_ROOT, then verified."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from partybuild import backups


class Command(BaseCommand):
    help = (
        "Check a backup's hashes, restore it into the configured (empty) database and MEDIA_ROOT, "
        "then verify the row counts, the files, the reports' hashes and the audit chain. "
        "Exit 1 if anything does not match."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, help="a folder `manage.py backup` wrote")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore over a database that has tables and a MEDIA_ROOT that has files.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the backup's own hashes; restore nothing.",
        )

    def handle(self, *args, folder: Path, force: bool, check: bool, **options) -> None:
        try:
            if check:
                manifest = backups.check_backup(folder)
                self.stdout.write(
                    _("The backup is whole: %(files)s files and the database match their hashes.")
                    % {"files": len(manifest["files"])}
                )
                return
            result = backups.restore(folder, force=force)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        for problem in result.problems:
            self.stderr.write(problem)
        summary = _(
            "%(rows)s rows in %(tables)s tables, %(files)s files, %(reports)s reports, "
            "%(entries)s audit entries"
        ) % {
            "rows": result.rows,
            "tables": result.tables,
            "files": result.files,
            "reports": result.reports,
            "entries": result.audit_entries,
        }
        if not result.ok:
            raise CommandError(
                _("The restored portal does not match the backup: %(summary)s")
                % {"summary": summary}
            )
        self.stdout.write(
            self.style.SUCCESS(_("Restored and verified: %(summary)s") % {"summary": summary})
        )
