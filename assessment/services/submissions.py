"""Entering values and moving submissions through the review workflow.

draft → submitted → returned (with a reason) → submitted → approved → locked (period closed).
Secretaries (ENTER on the subject's organization) edit drafts and returned submissions and submit
them; reviewers (REVIEW from an ancestor organization) return or approve them and assess
judgement indicators; an administrator may reopen one with a reason. Every change of a value is
kept in `ValueChange`, every step in `Transition`, in the same transaction as the change itself.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import hooks as audit_trail
from organizations.choices import Action
from organizations.scope import can, can_from_above

from ..choices import NoticeKind, PeriodStatus, SubjectUnit, SubmissionState
from ..models import Evidence, Indicator, IndicatorValue, Submission, Transition, ValueChange
from ..scoring.values import NOT_APPLICABLE
from ..selectors import engine_framework
from ..validation import EntryError, check_computed, clean_value
from . import counted as counting
from . import notices, rollup, scores

EDITABLE = (SubmissionState.DRAFT, SubmissionState.RETURNED)


class WorkflowError(ValueError):
    """A step the workflow does not allow now; the message is for the user."""


class NotAllowed(WorkflowError):
    """The user may see the submission but not take this step."""


class InvalidValues(WorkflowError):
    """Values that cannot be saved: `errors` maps indicator codes to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(_("Some values cannot be saved."))
        self.errors = errors


class Incomplete(WorkflowError):
    """A submission that cannot be submitted yet: `missing` lists what is needed."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(_("The submission is not complete."))
        self.missing = missing


@dataclass
class StaleVersion(WorkflowError):
    """A save based on an older version; nothing was written."""

    current: int
    changes: list[ValueChange]

    def __post_init__(self) -> None:
        super().__init__(
            _(
                "Someone saved this submission after you opened it (now version %(v)d). "
                "Nothing was overwritten: review their changes and enter yours again."
            )
            % {"v": self.current}
        )


def can_enter(user, submission: Submission) -> bool:
    return can(user, Action.ENTER, submission.organization)


def can_review(user, submission: Submission) -> bool:
    """Reviewers of an ancestor: an organization never approves its own submission (those of
    its units — departments, members — its own reviewers do)."""
    if submission.subject_unit == SubjectUnit.ORGANIZATION:
        return can_from_above(user, Action.REVIEW, submission.organization)
    return can(user, Action.REVIEW, submission.organization)


def entry_indicators(submission: Submission) -> list:
    """The engine's indicators a person enters for this subject (formulas are computed)."""
    spec = engine_framework(submission.period.framework)
    return [i for i in spec.indicators_for(submission.subject_kind) if i.kind != "formula"]


def _lock(submission: Submission) -> Submission:
    """The submission locked for a write, with its period, framework and organization read.

    The period is locked shared (a closing waits for the write, the write for a closing), only
    the submission exclusively: a write holding the period FOR UPDATE while it waits for the
    audit chain's lock deadlocked with a task holding that lock whose rows' foreign keys to the
    period are checked at its commit (KEY SHARE, which FOR SHARE lets through).
    """
    rollup.lock_period(submission.period_id, shared=True)
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("period__framework", "organization")
        .get(pk=submission.pk)
    )


@transaction.atomic
def save_values(
    submission: Submission,
    values: Mapping[str, Any],
    *,
    version: int,
    acting_user,
    reviewed: bool = False,
    reasons: Mapping[str, str] | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Submission:
    """Save some values of a submission, all or nothing.

    `version` is the version the user started from: a newer one in the database means someone
    else saved meanwhile and `StaleVersion` is raised with their changes. With `reviewed`, the
    values are a reviewer's assessment of judgement indicators, each needing a reason when it
    differs from the self-assessment. A value of an indicator counted from records
    (`counted.resolve_override`) other than the counted one needs a reason in `overrides`; a
    blank one lets the value follow the count again.
    """
    submission = _lock(submission)
    if submission.version != version:
        raise StaleVersion(
            submission.version,
            list(
                ValueChange.objects.filter(submission=submission, version__gt=version)
                .select_related("indicator", "changed_by")
                .order_by("changed_at", "id")
            ),
        )
    if submission.period.status != PeriodStatus.OPEN:
        raise WorkflowError(_("The period is not open."))
    if reviewed:
        if not can_review(acting_user, submission):
            raise NotAllowed(_("You do not review this submission."))
        if submission.state != SubmissionState.SUBMITTED:
            raise WorkflowError(_("Only a submitted submission can be assessed."))
    else:
        if not can_enter(acting_user, submission):
            raise NotAllowed(_("You do not enter data for this organization."))
        if submission.state not in EDITABLE:
            raise WorkflowError(_("Only a draft or a returned submission can be edited."))

    by_code = {i.code: i for i in entry_indicators(submission)}
    above = counting.decided_above(engine_framework(submission.period.framework))
    rows = {
        r.indicator.code: r
        for r in IndicatorValue.objects.filter(submission=submission).select_related("indicator")
    }
    reasons = reasons or {}
    overrides = overrides or {}
    override_reasons: dict[str, str] = {}
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for code, raw in values.items():
        indicator = by_code.get(code)
        if indicator is None:
            errors[code] = _("Not an indicator of this submission.")
            continue
        if reviewed and not indicator.assessed:
            errors[code] = _("Only judgement indicators are assessed by the reviewer.")
            continue
        try:
            cleaned[code] = clean_value(indicator, raw)
        except EntryError as exc:
            errors[code] = str(exc)
            continue
        if not reviewed and indicator.source is not None:
            row = rows.get(code)
            try:
                resolved = counting.resolve_override(
                    row.counted if row is not None else None,
                    cleaned[code],
                    overrides.get(code, ""),
                    decided_above=code in above,
                )
            except counting.OverrideRefused as exc:
                errors[code] = str(exc)
                continue
            cleaned[code] = resolved.value
            override_reasons[code] = resolved.reason
        if reviewed:
            own = rows[code].value if code in rows else None
            if cleaned[code] != own and cleaned[code] is not None and not reasons.get(code):
                errors[code] = _(
                    "Give a reason for assessing differently from the self-assessment."
                )
    field = "reviewed_value" if reviewed else "value"
    # What the values do together: a rate computed from them must still be a percentage.
    stored = {code: getattr(row, field) for code, row in rows.items()}
    errors = (
        check_computed(
            engine_framework(submission.period.framework),
            submission.subject_kind,
            {code: row.effective for code, row in rows.items()} | cleaned,
            changed={code for code, value in cleaned.items() if value != stored.get(code)},
        )
        | errors
    )
    if errors:
        raise InvalidValues(errors)

    new_version = submission.version + 1
    db_indicators = dict(
        Indicator.objects.filter(
            framework=submission.period.framework_id, code__in=cleaned
        ).values_list("code", "pk")
    )
    changes = []
    overridden: dict[str, dict] = {}
    written = False
    for code, value in cleaned.items():
        row = rows.get(code) or IndicatorValue(
            submission=submission, indicator_id=db_indicators[code]
        )
        old = getattr(row, field)
        override = override_reasons.get(code)
        override_changed = override is not None and override != row.override_reason
        if (
            old == value
            and not (reviewed and reasons.get(code, "") != row.review_reason)
            and not override_changed
        ):
            continue
        written = True
        setattr(row, field, value)
        if reviewed:
            row.review_reason = reasons.get(code, "")
        if override is not None and (override or row.override_reason):
            overridden[code] = {
                "before": {"value": old, "counted": row.counted, "reason": row.override_reason},
                "after": {"value": value, "counted": row.counted, "reason": override},
            }
        if override is not None:
            row.override_reason = override
        row.updated_by = acting_user
        row.save()
        if old != value:
            changes.append(
                ValueChange(
                    submission=submission,
                    indicator_id=row.indicator_id,
                    field=field,
                    old=old,
                    new=value,
                    changed_by=acting_user,
                    version=new_version,
                )
            )
    if not written:
        # Nothing changed: the version stays, so a page open elsewhere is not made stale by a
        # save (such as the one that comes with every evidence upload) that wrote nothing.
        return submission
    ValueChange.objects.bulk_create(changes)
    submission.version = new_version
    submission.save(update_fields=["version", "updated_at"])
    codes = {pk: code for code, pk in db_indicators.items()}
    audit_trail.values_saved(submission, changes, codes, acting_user=acting_user)
    audit_trail.counted_overridden(submission, overridden, acting_user=acting_user)
    return submission


def missing_for_submission(submission: Submission) -> list[str]:
    """What keeps the submission from being submitted, in words: values and evidence."""
    indicators = entry_indicators(submission)
    rows = IndicatorValue.objects.filter(submission=submission).values_list(
        "indicator__code", "value", "override_reason"
    )
    values = {code: value for code, value, _reason in rows}
    # A value counted from records has its records as evidence; an override needs a file.
    overridden = {code for code, _value, reason in rows if reason}
    with_evidence = set(
        Evidence.objects.filter(submission=submission).values_list("indicator__code", flat=True)
    )
    missing = []
    for indicator in indicators:
        name = f"{indicator.code} {indicator.name.get(_lang())}"
        if values.get(indicator.code) is None:
            missing.append(_("%(indicator)s: no value") % {"indicator": name})
        elif (
            indicator.evidence_required
            and values[indicator.code] != NOT_APPLICABLE
            and indicator.code not in with_evidence
            and (indicator.source is None or indicator.code in overridden)
        ):
            missing.append(_("%(indicator)s: evidence required") % {"indicator": name})
    return missing


def _lang() -> str:
    from django.utils.translation import get_language

    return "en" if (get_language() or "").startswith("en") else "zh"


def effective_values(submission: Submission) -> dict[str, Any]:
    """Values as they count: the reviewer's assessment where there is one."""
    return {
        code: reviewed if reviewed is not None else value
        for code, value, reviewed in IndicatorValue.objects.filter(
            submission=submission
        ).values_list("indicator__code", "value", "reviewed_value")
    }


def _transition(submission: Submission, to_state: str, *, by, reason: str = "") -> Transition:
    step = Transition.objects.create(
        submission=submission,
        from_state=submission.state,
        to_state=to_state,
        by=by,
        reason=reason,
        values=effective_values(submission),
    )
    submission.state = to_state
    now = timezone.now()
    if to_state == SubmissionState.SUBMITTED:
        submission.submitted_at = now
    if to_state == SubmissionState.APPROVED:
        submission.approved_at = now
    submission.save(update_fields=["state", "submitted_at", "approved_at", "updated_at"])
    audit_trail.submission_transition(submission, step)
    return step


@transaction.atomic
def submit(submission: Submission, *, acting_user) -> Submission:
    submission = _lock(submission)
    if not can_enter(acting_user, submission):
        raise NotAllowed(_("You do not enter data for this organization."))
    if submission.state not in EDITABLE:
        raise WorkflowError(_("Only a draft or a returned submission can be submitted."))
    if submission.period.status != PeriodStatus.OPEN:
        raise WorkflowError(_("The period is not open."))
    missing = missing_for_submission(submission)
    if missing:
        raise Incomplete(missing)
    _transition(submission, SubmissionState.SUBMITTED, by=acting_user)
    return submission


@transaction.atomic
def return_submission(submission: Submission, *, reason: str, acting_user) -> Submission:
    submission = _lock(submission)
    if not can_review(acting_user, submission):
        raise NotAllowed(_("You do not review this submission."))
    if submission.state != SubmissionState.SUBMITTED:
        raise WorkflowError(_("Only a submitted submission can be returned."))
    if not reason.strip():
        raise WorkflowError(_("Say why the submission is returned."))
    _transition(submission, SubmissionState.RETURNED, by=acting_user, reason=reason.strip())
    notices.notify_secretaries(submission, NoticeKind.RETURNED, reason=reason.strip())
    return submission


@transaction.atomic
def approve(submission: Submission, *, acting_user, comment: str = "") -> Submission:
    submission = _lock(submission)
    if not can_review(acting_user, submission):
        raise NotAllowed(_("You do not review this submission."))
    if submission.state != SubmissionState.SUBMITTED:
        raise WorkflowError(_("Only a submitted submission can be approved."))
    _transition(submission, SubmissionState.APPROVED, by=acting_user, reason=comment.strip())
    notices.notify_secretaries(submission, NoticeKind.APPROVED, reason=comment.strip())
    # Scored in a task once the approval is committed; if the queue is down, the approval still
    # stands and the period is marked for recompute.
    transaction.on_commit(partial(scores.submission_changed, submission.pk, submission.period_id))
    return submission


@transaction.atomic
def reopen(submission: Submission, *, reason: str, acting_user) -> Submission:
    """An administrator sends a submitted, approved or locked submission back for editing."""
    submission = _lock(submission)
    if not can(acting_user, Action.MANAGE, submission.organization):
        raise NotAllowed(_("Only an administrator may reopen a submission."))
    if submission.state not in (
        SubmissionState.SUBMITTED,
        SubmissionState.APPROVED,
        SubmissionState.LOCKED,
    ):
        raise WorkflowError(_("Only a submitted, approved or locked submission can be reopened."))
    if not reason.strip():
        raise WorkflowError(_("Say why the submission is reopened."))
    counted = submission.state in scores.COUNTED_STATES
    _transition(submission, SubmissionState.RETURNED, by=acting_user, reason=reason.strip())
    notices.notify_secretaries(submission, NoticeKind.REOPENED, reason=reason.strip())
    if counted:  # its score no longer counts: removed, and its ancestors rolled up again
        transaction.on_commit(
            partial(scores.submission_changed, submission.pk, submission.period_id)
        )
    return submission
