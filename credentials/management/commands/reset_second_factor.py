"""`manage.py reset_second_factor USERNAME [--by ADMIN]`: remove a user's authenticator devices.

For an administrator who lost their phone: at their next sign-in they enrol a new app. The reset
is recorded in the audit trail, under the administrator named by --by when given.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError, CommandParser

from credentials.services import reset_second_factor


class Command(BaseCommand):
    help = "Remove a user's authenticator devices; they enrol a new one at the next sign-in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user whose second factor is reset")
        parser.add_argument("--by", default=None, help="the administrator doing it (audit trail)")

    def handle(self, *args, username: str, by: str | None, **options) -> None:
        user = _user(username)
        acting_user = _user(by) if by else None
        removed = reset_second_factor(
            user, acting_user=acting_user, actor_name="" if acting_user else "manage.py"
        )
        self.stdout.write(
            f"{username}: {removed} device(s) removed; a new authenticator app is enrolled "
            "at the next sign-in."
        )


def _user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except ObjectDoesNotExist:
        raise CommandError(f"No user named {username!r}") from None
