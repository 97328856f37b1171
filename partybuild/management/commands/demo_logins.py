"""manage.py demo_logins: the demo accounts as a small bilingual table, with the portal's URL.

`make run` passes the address it serves on (`demo_logins 127.0.0.1:$(PORT)`), so the URL printed
is the one that answers.
"""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from organizations.choices import Role
from partybuild.demo import organizations as demo

DEFAULT_ADDRPORT = "127.0.0.1:8000"  # runserver's default
# A server listening on every address is reached from this machine on the loopback one.
WILDCARDS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}


def portal_url(addrport: str) -> str:
    """The browser's URL for a runserver-style address: `8001`, `0.0.0.0:8001`, `[::1]:8001`."""
    host, _colon, port = addrport.strip().rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"{addrport!r} is not a port or an address:port")
    host = host.strip("[]")
    host = WILDCARDS.get(host, host)
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{int(port)}/"


def in_both(render) -> tuple[str, str]:
    """What `render()` gives in Chinese and in English."""
    with translation.override("zh-hans"):
        zh = str(render())
    with translation.override("en"):
        en = str(render())
    return zh, en


def joined(render, separator: str = " / ") -> str:
    """Both renderings joined, or one when there is no translation yet."""
    return separator.join(dict.fromkeys(in_both(render)))


def width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


class Command(BaseCommand):
    help = "Print the demo logins (username, password, role, organization) and the portal's URL."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "addrport",
            nargs="?",
            default=DEFAULT_ADDRPORT,
            help=f"the address the portal serves on, as given to runserver ({DEFAULT_ADDRPORT})",
        )

    def handle(self, *args, addrport: str, **options) -> None:
        url = portal_url(addrport)
        logins = demo.demo_logins()
        if logins is None:
            message = joined(
                lambda: _("The demo is not loaded: run `manage.py seed_demo` (or `make demo`)."),
                "\n",
            )
            self.stdout.write(message)
            return
        self.stdout.write(self.style.SUCCESS(joined(lambda: _("Demo logins"))))
        self._write_table(self._rows(logins))
        self.stdout.write(joined(lambda: _("Open in a browser")) + f": {url}")

    def _rows(self, logins: list[demo.DemoLogin]) -> list[list[str]]:
        """A header, then two lines per role (Chinese, English); username and password once."""
        labels = (_("Username"), _("Password"), _("Role"), _("Organization"))
        rows = [[joined(lambda label=label: label, " ") for label in labels]]
        for login in logins:
            password = settings.DEMO_PASSWORD
            if not login.password_unchanged:
                password = joined(lambda: _("(changed)"))
            for number, (role, organization) in enumerate(login.roles or [("", None)]):

                def role_label(role=role, superuser=login.superuser and number == 0):
                    label = Role(role).label if role else ""
                    return _("%(role)s (superuser)") % {"role": label} if superuser else label

                role_zh, role_en = in_both(role_label)
                first = number == 0
                rows.append(
                    [
                        login.username if first else "",
                        password if first else "",
                        role_zh,
                        f"{organization.name} · {organization.code}" if organization else "",
                    ]
                )
                rows.append(["", "", role_en, organization.name_en if organization else ""])
        return rows

    def _write_table(self, rows: list[list[str]]) -> None:
        widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            line = "  ".join(pad(cell, widths[i]) for i, cell in enumerate(row))
            self.stdout.write("  " + line.rstrip())
