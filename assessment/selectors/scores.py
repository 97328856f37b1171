"""Reads of stored scores and of the runs that compute them, each in a fixed number of queries.

Scores and roll-ups themselves are read through their scoped managers (`restrict(user)`) by the
API's viewsets, so a caller only ever sees the rows of their own subtrees.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery

from ..choices import PeriodStatus
from ..models import Framework, Period, RollupSettings, ScoreRun, SubjectScore
from ..scoring import score_subject
from .frameworks import engine_framework

RECENT_RUNS = 20
PERIODS_SHOWN = 20


def indicator_results(score: SubjectScore) -> list[dict[str, Any]]:
    """A stored score's indicators in framework order, each with its provenance.

    The results are the stored ones; the provenance (the rule, the rubric, its weight, the
    re-normalisation factor and the intermediate numbers) comes from running the pure engine
    again on the stored inputs against the period's framework version, which is immutable. No
    query beyond the score's period and framework (cached per version).
    """
    spec = engine_framework(score.period.framework)
    again = score_subject(spec, score.subject_kind, score.inputs)
    names = SubjectScore.INDICATOR_FIELDS
    results = []
    for item in again.indicators:
        stored = score.indicators.get(item.code)
        if stored is None:  # not in the stored score (cannot happen with a published version)
            continue
        results.append(
            {
                "code": item.code,
                **dict(zip(names, stored, strict=True)),
                "value": score.inputs.get(item.code),
                "provenance": item.provenance,
            }
        )
    return results


@dataclass
class PeriodRuns:
    """A period with its latest run (None when never computed)."""

    period: Period
    latest: ScoreRun | None

    @property
    def busy(self) -> bool:
        return self.latest is not None and self.latest.is_active and bool(self.latest.task_id)


def periods_with_runs(limit: int = PERIODS_SHOWN) -> list[PeriodRuns]:
    """The latest periods (open ones first), each with its latest run: two queries."""
    latest = ScoreRun.objects.filter(period=OuterRef("pk")).order_by("-created_at", "-id")
    periods = list(
        Period.objects.select_related("framework")
        .exclude(status=PeriodStatus.PLANNED)
        .annotate(latest_run=Subquery(latest.values("pk")[:1]))
        .order_by("-start", "kind")[:limit]
    )
    runs = ScoreRun.objects.in_bulk([p.latest_run for p in periods if p.latest_run])
    periods.sort(
        key=lambda p: p.status != PeriodStatus.OPEN
    )  # stable: open periods first, newest first
    return [PeriodRuns(p, runs.get(p.latest_run)) for p in periods]


def recent_runs(limit: int = RECENT_RUNS) -> list[ScoreRun]:
    return list(ScoreRun.objects.select_related("period", "requested_by")[:limit])


def any_active(runs: list[ScoreRun]) -> bool:
    return any(run.is_active and run.task_id for run in runs)


def rollup_settings_by_code() -> dict[str, RollupSettings | None]:
    """The saved roll-up settings of every framework code that has periods (None: never saved),
    in code order."""
    codes = sorted(
        set(Framework.objects.filter(periods__isnull=False).values_list("code", flat=True))
    )
    saved = RollupSettings.objects.in_bulk(codes, field_name="framework_code")
    return {code: saved.get(code) for code in codes}


def rollup_settings_of(code: str) -> tuple[bool, RollupSettings | None]:
    """Whether a framework with this code exists, and its saved roll-up settings if any."""
    if not Framework.objects.filter(code=code).exists():
        return False, None
    return True, RollupSettings.objects.filter(framework_code=code).first()
