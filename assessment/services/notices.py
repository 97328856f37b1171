"""Notices in the portal and by e-mail: returned and approved submissions, deadline reminders."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organizations.choices import Role
from organizations.selectors import active_role_holders

from ..choices import NoticeKind, PeriodStatus, SubmissionState
from ..models import Notice, Period, Reminder, Submission

REMIND_DAYS_BEFORE = 3
BATCH = 2000
# Kinds whose reason is the whole text, ending with the link the notice leads to.
WHOLE_TEXT = (NoticeKind.REPORT, NoticeKind.MEETING_DUE)


def secretaries_of(submission: Submission):
    """Users who enter data for the submission's organization (a role on it or an ancestor)."""
    org = submission.organization
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            role_assignments__role=Role.SECRETARY,
            role_assignments__organization_id__in=[*org.ancestor_ids, org.pk],
        )
        .distinct()
    )


def notify_secretaries(submission: Submission, kind: str, *, reason: str = "") -> list[Notice]:
    users = list(secretaries_of(submission))
    created = Notice.objects.bulk_create(
        [Notice(user=u, kind=kind, submission=submission, reason=reason) for u in users]
    )
    transaction.on_commit(lambda: _mail([(n, submission) for n in created]))
    return created


def mark_all_read(user) -> int:
    """Mark every unread notice of the user as read now; returns how many were unread."""
    return Notice.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def notice_text(notice: Notice) -> str:
    """The notice in the active language."""
    subject = notice.submission.subject_name if notice.submission else ""
    period = notice.submission.period.display_name if notice.submission else ""
    texts = {
        NoticeKind.RETURNED: _("%(subject)s (%(period)s) was returned: %(reason)s"),
        NoticeKind.APPROVED: _("%(subject)s (%(period)s) was approved."),
        NoticeKind.REOPENED: _("%(subject)s (%(period)s) was reopened: %(reason)s"),
        NoticeKind.REMINDER: _(
            "%(subject)s (%(period)s) is due by %(deadline)s and not submitted."
        ),
        NoticeKind.RECTIFICATION_OVERDUE: _(
            "%(subject)s (%(period)s): the rectification of %(reason)s is overdue."
        ),
        # Report deliveries and meeting reminders carry their whole text (ending with a link),
        # made by the reports and records apps.
        NoticeKind.REPORT: "%(reason)s",
        NoticeKind.MEETING_DUE: "%(reason)s",
    }
    reason = notice.reason
    if notice.kind in WHOLE_TEXT and (link := notice_link(notice)):
        reason = reason.removesuffix(link).rstrip()  # the link is the notice's own
    deadline = notice.submission.period.deadline.isoformat() if notice.submission else ""
    return texts[notice.kind] % {
        "subject": subject,
        "period": period,
        "reason": reason,
        "deadline": deadline,
    }


def notice_link(notice: Notice) -> str:
    """Where the notice leads: its submission, or the address a report notice ends with."""
    if notice.submission_id:
        return reverse("assessment:submission", args=[notice.submission_id])
    if notice.kind in WHOLE_TEXT:
        last = notice.reason.rsplit(None, 1)[-1] if notice.reason.strip() else ""
        if last.startswith(("/", "http://", "https://")):
            return last
    return ""


def _mail(items: list[tuple[Notice, Submission]]) -> None:
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for notice, submission in items:
            if not notice.user.email:
                continue
            url = reverse("assessment:submission", args=[submission.pk])
            body = f"{notice_text(notice)}\n\n{url}"
            messages.append(
                (
                    _("partybuild: %(kind)s") % {"kind": notice.get_kind_display()},
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [notice.user.email],
                )
            )
    if messages:
        send_mass_mail(messages, fail_silently=True)


@transaction.atomic
def send_deadline_reminders(today: datetime.date) -> int:
    """Remind secretaries of open submissions near or past their deadline, once a day each.

    Set-based: one read of the due submissions, one of their secretaries, bulk writes. Locking the
    open periods serialises two runs (a second beat or worker waits, then finds today's reminder
    rows and sends nothing); the unique (submission, day) row is the backstop where there is no
    row lock (SQLite): a concurrent duplicate fails as a whole and sends nothing.
    """
    list(Period.objects.select_for_update().filter(status=PeriodStatus.OPEN).values_list("pk"))
    due = list(
        Submission.objects.filter(
            period__status=PeriodStatus.OPEN,
            state__in=[SubmissionState.DRAFT, SubmissionState.RETURNED],
            period__deadline__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .exclude(reminders__day=today)
        .select_related("organization", "period")
    )
    if not due:
        return 0
    Reminder.objects.bulk_create([Reminder(submission=s, day=today) for s in due], batch_size=BATCH)
    trees = {org for s in due for org in (*s.organization.ancestor_ids, s.organization_id)}
    secretaries = active_role_holders(trees, [Role.SECRETARY])
    notices = [
        (Notice(user=user, kind=NoticeKind.REMINDER, submission=submission), submission)
        for submission in due
        for user in _unique(
            user
            for org_id in [*submission.organization.ancestor_ids, submission.organization_id]
            for user in secretaries.get((Role.SECRETARY, org_id), ())
        )
    ]
    Notice.objects.bulk_create([notice for notice, _s in notices], batch_size=BATCH)
    transaction.on_commit(lambda: _mail(notices))
    return len(due)


def _unique(users):
    seen: set[int] = set()
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            yield user
