"""Copying last period's values into the entry form, and confirming copied values.

Many indicators hardly change from one year to the next (the number of members, whether a
branch has a committee). The framework does not mark which ones are stable, so any indicator the
secretary types a plain value for may be copied: a number, count, percentage, yes/no or text,
not a formula (computed), not one counted from records (counted anew), not an appraisal (a
new vote each year) and not a judgement (the secretary's self-assessment is made anew). A value
is copied only where the form is blank and the subject's last approved period holds one.

A copied value is saved through `submissions.save_values` (so it has its history and version
like any other) and marked `copied`; the mark goes when the secretary confirms the value or
changes it. The entry form does not submit while a copied value is unconfirmed: copying is a
shortcut for typing, not a way of reporting last year's figures without looking at them.
"""

from collections.abc import Collection, Iterable

from django.db import transaction

from ..models import IndicatorValue, Submission
from ..scoring import spec as engine
from ..selectors import engine_framework
from ..selectors.entry import earlier_approved
from .submissions import save_values

COPYABLE_TYPES = frozenset({"number", "count", "percentage", "boolean", "text"})


def copyable(indicator: engine.Indicator) -> bool:
    """An indicator whose value may be copied from the last period (see the module's docstring)."""
    return (
        indicator.value_type in COPYABLE_TYPES
        and indicator.kind != "formula"
        and indicator.source is None
        and not indicator.assessed
    )


def last_values(submission: Submission, indicators: Iterable[engine.Indicator]) -> dict:
    """The value of each copyable indicator in the subject's last approved period that has one."""
    codes = [i.code for i in indicators if copyable(i)]
    return {code: pairs[-1][1] for code, pairs in earlier_approved(submission, codes).items()}


def to_copy(submission: Submission, indicators: Iterable[engine.Indicator], current) -> dict:
    """What the copy button would fill: last period's values where `current` has none."""
    return {
        code: value
        for code, value in last_values(submission, indicators).items()
        if current.get(code) is None
    }


@transaction.atomic
def copy_last_values(submission: Submission, *, version: int, acting_user) -> list[str]:
    """Fill the blank copyable values from the last approved period; the codes copied.

    Raises what `save_values` raises (a stale version, a closed period, no right to enter).
    """
    spec = engine_framework(submission.period.framework)
    indicators = spec.indicators_for(submission.subject_kind)
    current = dict(
        IndicatorValue.objects.filter(submission=submission).values_list("indicator__code", "value")
    )
    values = to_copy(submission, indicators, current)
    if not values:
        return []
    save_values(submission, values, version=version, acting_user=acting_user)
    IndicatorValue.objects.filter(submission=submission, indicator__code__in=list(values)).update(
        copied=True
    )
    return sorted(values, key=[i.code for i in indicators].index)


def settle(submission: Submission, before: dict, confirmed: Collection[str]) -> int:
    """After a save: clear the mark of copied values confirmed or changed; how many cleared.

    `before` holds the copied values (code → value) as they were before the save.
    """
    rows = IndicatorValue.objects.filter(
        submission=submission, copied=True, indicator__code__in=list(before)
    ).values_list("pk", "indicator__code", "value")
    done = [pk for pk, code, value in rows if code in confirmed or value != before[code]]
    return IndicatorValue.objects.filter(pk__in=done).update(copied=False)


def copied_values(submission: Submission) -> dict:
    """The copied, unconfirmed values of a submission (code → value)."""
    return dict(
        IndicatorValue.objects.filter(submission=submission, copied=True).values_list(
            "indicator__code", "value"
        )
    )
