"""Values counted from records: storing them on the submissions, and the secretary's overrides.

`recount(period, submissions)` counts the sourced indicators of the submissions
(`assessment.sources`) and stores each in `IndicatorValue.counted`; while a submission can be
edited (draft or returned) its `value` follows the counted value unless the secretary overrode
it (`override_reason` not empty). A submitted or approved submission keeps the value it was
submitted with, and the page shows the counted value beside it. Nothing is recounted in a locked
period. A recount is no edit: it writes no value history and does not bump the submission's
version, so a page open elsewhere is not made stale by it.

A value decided above the unit (a source kind with `decided_above`: the committee's rating of
the secretary's report) follows the count in every state until the period is locked — the
rating is usually given after the unit submitted — cannot be overridden, and an approved
submission whose value moved is scored again.

When a recount runs: when the submission page is opened (`recount_submission`), after records
change (`recount_for_records`, from the task `records.sources.records_changed` sends), and every
night for the open periods (`recount_open_periods`), since some counts move with the calendar.

Overriding happens inside `submissions.save_values`, which calls `resolve_override` for each
counted indicator typed in: a value other than the counted one needs a reason.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk import update_rows

from .. import sources
from ..choices import PeriodStatus, SubmissionState
from ..models import Indicator, IndicatorValue, Period, Submission
from ..scoring import spec as engine
from ..scoring.spec import SOURCE_KINDS
from ..selectors.frameworks import engine_framework
from . import scores

__all__ = [
    "EDITABLE",
    "Override",
    "OverrideRefused",
    "decided_above",
    "recount",
    "recount_for_records",
    "recount_open_periods",
    "recount_submission",
    "resolve_override",
]

EDITABLE = (SubmissionState.DRAFT, SubmissionState.RETURNED)
BATCH = 1000


class OverrideRefused(ValueError):
    """An override that cannot be saved; the message is for the user."""


@dataclass(frozen=True)
class Override:
    """What saving a typed value of a counted indicator comes to."""

    value: Any
    reason: str

    @property
    def overridden(self) -> bool:
        return bool(self.reason)


def resolve_override(
    counted: Any, typed: Any, reason: str, *, decided_above: bool = False
) -> Override:
    """The value and reason to store when `typed` is entered for an indicator counted as
    `counted`: blank or the counted value follows the count (the override is cleared); any other
    value needs a reason, and a value decided above the unit cannot be overridden at all."""
    reason = (reason or "").strip()
    if typed is None or typed == counted:
        return Override(counted, "")
    if decided_above:
        raise OverrideRefused(
            _("This value is decided by the organization above and cannot be changed here.")
        )
    if not reason:
        raise OverrideRefused(_("Give a reason for overriding the counted value."))
    return Override(typed, reason)


def _has_sources(period: Period) -> bool:
    return bool(sources.sourced_indicators(engine_framework(period.framework)))


@transaction.atomic
def recount(
    period: Period,
    submissions: list[Submission] | None = None,
    *,
    today: datetime.date | None = None,
) -> int:
    """Count and store the sourced values of these submissions (all of the period's when None);
    answers how many value rows were written. The submissions are locked while their values are
    written, as a save locks them, so an override being saved is never overwritten."""
    if period.status == PeriodStatus.LOCKED or not _has_sources(period):
        return 0
    locked = Submission.objects.select_for_update().filter(period=period).order_by("pk")
    if submissions is not None:
        locked = locked.filter(pk__in=[s.pk for s in submissions])
    rows = list(
        locked.only(
            "id", "period", "subject_kind", "subject_unit", "organization", "person", "state"
        )
    )
    if not rows:
        return 0
    counted = (
        sources.count_all(period, today=today)
        if submissions is None
        else sources.count(period, rows, today=today)
    )
    if not counted:
        return 0
    return _store(period, rows, counted)


def decided_above(framework: engine.Framework) -> set[str]:
    """The codes of the indicators whose counted value is decided above the unit."""
    return {
        i.code
        for i in sources.sourced_indicators(framework)
        if (kind := SOURCE_KINDS.get(i.source.kind)) is not None and kind.decided_above
    }


def _store(period: Period, rows: list[Submission], counted: dict[tuple[int, str], Any]) -> int:
    states = {s.pk: s.state for s in rows}
    above = decided_above(engine_framework(period.framework))
    rescore: set[int] = set()
    codes = {code for _, code in counted}
    indicator_ids = dict(
        Indicator.objects.filter(framework=period.framework_id, code__in=codes).values_list(
            "code", "pk"
        )
    )
    existing = {
        (row.submission_id, row.indicator.code): row
        for row in IndicatorValue.objects.filter(
            submission__in=list(states), indicator__code__in=codes
        ).select_related("indicator")
    }
    now = timezone.now()
    created: list[IndicatorValue] = []
    updated: list[IndicatorValue] = []
    for (submission_id, code), value in counted.items():
        row = existing.get((submission_id, code))
        follows = states.get(submission_id) in EDITABLE or code in above
        approved = states.get(submission_id) == SubmissionState.APPROVED
        if code in above and approved and (row is None or row.value != value):
            rescore.add(submission_id)
        if row is None:
            created.append(
                IndicatorValue(
                    submission_id=submission_id,
                    indicator_id=indicator_ids[code],
                    counted=value,
                    counted_at=now,
                    value=value if follows else None,
                )
            )
            continue
        changed = False
        if row.counted != value or row.counted_at is None:
            row.counted, row.counted_at, changed = value, now, True
        if code in above and (row.value != value or row.override_reason):
            row.value, row.override_reason, changed = value, "", True
        elif follows and not row.override_reason and row.value != value:
            row.value, changed = value, True
        if changed:
            row.updated_at = now
            updated.append(row)
    IndicatorValue.objects.bulk_create(created, batch_size=BATCH)
    # One prepared UPDATE per row: bulk_update's CASE per field took most of a period's recount.
    update_rows(
        IndicatorValue,
        ["counted", "counted_at", "value", "override_reason", "updated_at"],
        [
            (row.pk, row.counted, row.counted_at, row.value, row.override_reason, row.updated_at)
            for row in updated
        ],
    )
    for submission_id in sorted(rescore):
        transaction.on_commit(partial(scores.submission_changed, submission_id, period.pk))
    return len(created) + len(updated)


def recount_submission(submission: Submission, *, today: datetime.date | None = None) -> int:
    """Recount one submission (when its page is opened)."""
    period = submission.period
    if period.status == PeriodStatus.LOCKED or not _has_sources(period):
        return 0
    return recount(period, [submission], today=today)


def recount_open_periods(*, today: datetime.date | None = None) -> int:
    """Recount every open period whole: what counts "months that are over" or "items due by
    today" moves with the calendar, not only when records change (the nightly task)."""
    written = 0
    for period in Period.objects.filter(status=PeriodStatus.OPEN).select_related("framework"):
        written += recount(period, today=today)
    return written


def recount_for_records(organization_id: int, day: datetime.date) -> int:
    """Recount what the records of an organization on a day count for: the submissions of the
    periods covering the day (not locked) of the organization and of its ancestors (whose
    member rates include it), people's submissions among them."""
    from organizations.models import Organization

    org = Organization.objects.filter(pk=organization_id).only("path").first()
    if org is None:
        return 0
    organizations = [*org.ancestor_ids, org.pk]
    written = 0
    for period in (
        Period.objects.filter(start__lte=day, end__gte=day)
        .exclude(status=PeriodStatus.LOCKED)
        .select_related("framework")
    ):
        if not _has_sources(period):
            continue
        submissions = list(
            Submission.objects.filter(period=period, organization_id__in=organizations).only("id")
        )
        if submissions:
            written += recount(period, submissions)
    return written
