"""Notices in the portal and by e-mail: returned and approved submissions, deadline reminders."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organizations.choices import Role

from ..choices import NoticeKind, PeriodStatus, SubmissionState
from ..models import Notice, Reminder, Submission

REMIND_DAYS_BEFORE = 3


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
    }
    deadline = notice.submission.period.deadline.isoformat() if notice.submission else ""
    return texts[notice.kind] % {
        "subject": subject,
        "period": period,
        "reason": notice.reason,
        "deadline": deadline,
    }


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


def send_deadline_reminders(today: datetime.date) -> int:
    """Remind secretaries of open submissions near or past their deadline, once a day each.

    The unique (submission, day) row is taken first: a second run the same day, or a second
    worker running the same beat task, finds it taken and sends nothing.
    """
    due = Submission.objects.filter(
        period__status=PeriodStatus.OPEN,
        state__in=[SubmissionState.DRAFT, SubmissionState.RETURNED],
        period__deadline__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
    ).exclude(Q(reminders__day=today))
    sent = 0
    for submission in due.select_related("organization", "period").iterator(chunk_size=500):
        try:
            with transaction.atomic():
                Reminder.objects.create(submission=submission, day=today)
                notify_secretaries(submission, NoticeKind.REMINDER)
        except IntegrityError:
            continue
        sent += 1
    return sent
