"""`manage.py import_orgs FILE [--dry-run]`: import organizations from a CSV or XLSX file.

An operator tool: it runs with full rights over the whole tree. It prints the preview (and with
-v 2 every changed row), then the errors with their line numbers; any error means nothing is
saved and the exit code is non-zero.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from organizations.importers import CREATE, ORGANIZATIONS, UPDATE, ImportPlan
from organizations.services.imports import import_file


class Command(BaseCommand):
    help = "Import organizations (code, name, name_en, kind, parent_code) from CSV or XLSX."
    import_kind = ORGANIZATIONS

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="a .csv or .xlsx file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and preview; save nothing"
        )
        parser.add_argument(
            "--language", default=None, help="language of the messages (default: the site's)"
        )

    def handle(self, *args, file: Path, dry_run: bool, language: str | None, **options) -> None:
        with translation.override(language or translation.get_language()):
            try:
                data = file.read_bytes()
            except OSError as exc:
                raise CommandError(
                    _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}
                ) from exc
            plan = import_file(self.import_kind, data, file.name, dry_run=dry_run)
            self._report(plan, verbosity=options["verbosity"])
            if not plan.ok:
                raise CommandError(
                    _("%(count)s error(s); nothing was saved.") % {"count": len(plan.errors)}
                )
            if dry_run:
                self.stdout.write(_("Dry run: nothing was saved."))
            else:
                self.stdout.write(self.style.SUCCESS(_("Imported.")))

    def _report(self, plan: ImportPlan, *, verbosity: int) -> None:
        counts = plan.counts
        self.stdout.write(
            _("%(create)s to create, %(update)s to update, %(unchanged)s unchanged.")
            % {"create": counts[CREATE], "update": counts[UPDATE], "unchanged": counts["unchanged"]}
        )
        if verbosity > 1:
            for row in plan.rows:
                if row.change in (CREATE, UPDATE):
                    fields = ", ".join(row.changed_fields)
                    self.stdout.write(f"  {row.line}: {row.change} {row.key} {fields}".rstrip())
        for issue in plan.errors:
            self.stderr.write(str(issue))
