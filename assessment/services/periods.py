"""Periods: creating, opening (which creates the expected submissions in bulk) and closing."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import hooks as audit_trail
from audit.models import AuditKind
from organizations.choices import PersonKind, PersonStatus
from organizations.models import Department, LeadingGroup, Organization, Person

from .. import signals
from ..choices import FrameworkStatus, PeriodStatus, SubjectUnit, SubmissionState
from ..models import Framework, Period, Submission, Transition
from ..selectors import engine_framework

PERSON_KINDS = {
    "party_member": [PersonKind.MEMBER, PersonKind.PROBATIONARY],
    "staff": [PersonKind.STAFF],
}
BATCH = 2000


class PeriodError(ValueError):
    """A period change that is not allowed; the message is for the user."""


@transaction.atomic
def create_period(
    *,
    framework: Framework,
    kind: str,
    name: str,
    name_en: str,
    start: datetime.date,
    end: datetime.date,
    deadline: datetime.date,
    acting_user=None,
) -> Period:
    if framework.status != FrameworkStatus.PUBLISHED:
        raise PeriodError(_("Periods use a published framework."))
    if end < start or deadline < start:
        raise PeriodError(_("The end and the deadline must not come before the start."))
    with transaction.atomic():
        period = Period.objects.create(
            framework=framework,
            kind=kind,
            name=name,
            name_en=name_en,
            start=start,
            end=end,
            deadline=deadline,
        )
        audit_trail.period_event(
            AuditKind.PERIOD_CREATED,
            period,
            acting_user=acting_user,
            after={
                "framework": f"{framework.code} {framework.version}",
                "kind": kind,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "deadline": deadline.isoformat(),
            },
        )
    return period


@transaction.atomic
def open_period(period: Period) -> int:
    """Open a planned period and create every expected submission in bulk; returns how many."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status != PeriodStatus.PLANNED:
        raise PeriodError(_("Only a planned period can be opened."))
    spec = engine_framework(period.framework)
    rows: list[Submission] = []
    for kind in spec.subject_kinds:
        if spec.indicators_for(kind.code):
            rows.extend(_expected(period, kind.code, kind.unit))
    Submission.objects.bulk_create(rows, batch_size=BATCH)
    period.status = PeriodStatus.OPEN
    period.opened_at = timezone.now()
    period.save(update_fields=["status", "opened_at"])
    audit_trail.period_event(AuditKind.PERIOD_OPENED, period, after={"submissions": len(rows)})
    return len(rows)


def _expected(period: Period, kind: str, unit: str):
    """Unsaved submissions for every subject of one framework subject kind."""
    base = {"period": period, "subject_kind": kind, "subject_unit": unit}
    if unit == SubjectUnit.ORGANIZATION:
        for org_id, name in Organization.objects.filter(
            kind__code=kind, is_active=True
        ).values_list("pk", "name"):
            yield Submission(organization_id=org_id, subject_name=name, **base)
    elif unit == SubjectUnit.LEADING_GROUP:
        groups = LeadingGroup.objects.filter(organization__is_active=True)
        for pk, org_id, name, org_name in groups.values_list(
            "pk", "organization_id", "name", "organization__name"
        ):
            yield Submission(
                organization_id=org_id,
                leading_group_id=pk,
                subject_name=f"{org_name} {name}",
                **base,
            )
    elif unit == SubjectUnit.DEPARTMENT:
        departments = Department.objects.filter(organization__is_active=True)
        for pk, org_id, name in departments.values_list("pk", "organization_id", "name"):
            yield Submission(organization_id=org_id, department_id=pk, subject_name=name, **base)
    elif unit == SubjectUnit.PERSON:
        people = Person.objects.filter(
            status=PersonStatus.ACTIVE,
            kind__in=PERSON_KINDS.get(kind, []),
            organization__is_active=True,
        )
        for pk, org_id, name in people.values_list("pk", "organization_id", "name"):
            yield Submission(organization_id=org_id, person_id=pk, subject_name=name, **base)


@transaction.atomic
def close_period(period: Period, *, acting_user) -> int:
    """Close an open period: approved submissions lock (each with its transition recorded)."""
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.status != PeriodStatus.OPEN:
        raise PeriodError(_("Only an open period can be closed."))
    approved = Submission.objects.filter(period=period, state=SubmissionState.APPROVED)
    ids = list(approved.values_list("pk", flat=True))
    Transition.objects.bulk_create(
        [
            Transition(
                submission_id=pk,
                from_state=SubmissionState.APPROVED,
                to_state=SubmissionState.LOCKED,
                by=acting_user,
                reason=Transition.PERIOD_CLOSED,
            )
            for pk in ids
        ],
        batch_size=BATCH,
    )
    locked = Submission.objects.filter(pk__in=ids).update(state=SubmissionState.LOCKED)
    period.status = PeriodStatus.CLOSED
    period.closed_at = timezone.now()
    period.save(update_fields=["status", "closed_at"])
    audit_trail.period_event(
        AuditKind.PERIOD_CLOSED, period, acting_user=acting_user, after={"locked": locked}
    )
    transaction.on_commit(
        lambda: signals.period_closed.send(sender=Period, period_id=period.pk), robust=True
    )
    return locked
