"""manage.py verify_audit: walk the audit chain and say whether it is intact (exit 1 if not)."""

from django.core.management.base import BaseCommand, CommandError

from audit.services import run_verification, verify_chain


class Command(BaseCommand):
    help = "Recompute every audit entry's hash in order; exit 1 at the first broken entry."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-save",
            action="store_true",
            help="Do not keep the outcome (the auditors' badge and the next checkpoint).",
        )

    def handle(self, *args, no_save: bool = False, **options) -> None:
        result = verify_chain() if no_save else run_verification()
        if not result.intact:
            raise CommandError(result.message)
        self.stdout.write(
            self.style.SUCCESS(
                f"intact: {result.entries} entries, last hash {result.last_hash or '-'}"
            )
        )
