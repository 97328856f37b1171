"""Monthly reminders of meetings not yet held: from the configured day of the month on
(`settings.RECORDS_REMINDER_DAY`), the secretaries of every organization that has not held the
meetings a kind asks for each month (`per_month`) get a notice, once per organization, kind and
month.

The notice's text ends with the link to the organization's meetings of that kind in that month.
A `MeetingReminder` row per organization, kind and month says a reminder was sent, so a second
run in the month sends nothing again (a unique constraint backs it).
"""

import datetime
from calendar import monthrange
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from assessment.choices import NoticeKind
from assessment.models import Notice
from organizations.choices import Role
from organizations.models import Organization
from organizations.selectors import active_role_holders

from ..config import MeetingKind, config_on
from ..models import Meeting, MeetingReminder

BATCH = 2000
# Serialises two runs on PostgreSQL (a second beat or worker waits, then finds the notices);
# SQLite lets one writer at a time, and the loser's retry finds them the same way.
ADVISORY_LOCK_KEY = 0x7265636D74


def _serialise() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])


def meetings_link(org_id: int, kind: str, month: datetime.date) -> str:
    """The organization's meetings of the kind in the month (the list, filtered)."""
    path = reverse("records:meeting_list", args=[org_id])
    query = urlencode({"kind": kind, "year": month.year, "month": month.month})
    return f"{_portal_url()}{path}?{query}"


def _portal_url() -> str:
    return getattr(settings, "PORTAL_URL", "").rstrip("/")


def reminder_text(org: Organization, kind: MeetingKind, month: datetime.date, held: int) -> str:
    values = {
        "org": org.display_name,
        "kind": kind.display_name,
        "month": f"{month:%Y-%m}",
        "held": held,
        "required": kind.per_month,
    }
    if held:
        return (
            _(
                "%(org)s has held %(held)d %(kind)s in %(month)s; at least %(required)d are "
                "due each month."
            )
            % values
        )
    return _("%(org)s has not yet held a %(kind)s in %(month)s.") % values


@transaction.atomic
def send_meeting_reminders(today: datetime.date) -> int:
    """Remind secretaries of meetings their organization has not held this month.

    Set-based: the framework's kinds, one read of the organizations that hold them, one grouped
    read of the month's meetings, one of the reminders sent, one of the secretaries, and bulk
    inserts. Returns how many (organization, kind) reminders were sent.
    """
    if today.day < settings.RECORDS_REMINDER_DAY:
        return 0
    monthly = [k for k in config_on(today).meeting_kinds if k.per_month > 0]
    if not monthly:
        return 0
    _serialise()
    month = today.replace(day=1)
    end = today.replace(day=monthrange(today.year, today.month)[1])
    organizations = list(
        Organization.objects.filter(
            is_active=True, kind__code__in={code for k in monthly for code in k.applies_to}
        )
        .select_related("kind")
        .only("pk", "name", "name_en", "kind__code")
        .order_by("path")
    )
    meetings = (
        Meeting.objects.filter(date__gte=month, date__lte=end, kind__in=[k.code for k in monthly])
        .order_by()
        .values_list("organization_id", "kind")
        .annotate(n=Count("id"))
    )
    held = {(org_id, kind): n for org_id, kind, n in meetings}
    reminded = set(
        MeetingReminder.objects.filter(month=month).values_list("organization_id", "kind")
    )
    due = [
        (org, kind)
        for org in organizations
        for kind in monthly
        if org.kind.code in kind.applies_to
        and held.get((org.pk, kind.code), 0) < kind.per_month
        and (org.pk, kind.code) not in reminded
    ]
    if not due:
        return 0
    secretaries = active_role_holders({org.pk for org, _kind in due}, [Role.SECRETARY])
    notices: list[Notice] = []
    told: list[tuple[Organization, MeetingKind]] = []
    with translation.override(settings.LANGUAGE_CODE):
        for org, kind in due:
            users = secretaries.get((Role.SECRETARY, org.pk), ())
            if not users:
                continue  # nobody to tell: tried again tomorrow, should a secretary be named
            told.append((org, kind))
            text = reminder_text(org, kind, month, held.get((org.pk, kind.code), 0))
            reason = f"{text} {meetings_link(org.pk, kind.code, month)}"
            notices += [
                Notice(user=user, kind=NoticeKind.MEETING_DUE, reason=reason) for user in users
            ]
    Notice.objects.bulk_create(notices, batch_size=BATCH)
    MeetingReminder.objects.bulk_create(
        [MeetingReminder(organization=org, kind=kind.code, month=month) for org, kind in told],
        batch_size=BATCH,
    )
    transaction.on_commit(lambda: _mail(notices))
    return len(told)


def _mail(notices: list[Notice]) -> None:
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("partybuild: %(kind)s") % {"kind": NoticeKind.MEETING_DUE.label}
        for notice in notices:
            if notice.user.email:
                text, _space, link = notice.reason.rpartition(" ")
                body = f"{text}\n\n{link}"
                messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [notice.user.email]))
    if messages:
        send_mass_mail(messages, fail_silently=True)
