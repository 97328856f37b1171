"""The assessment part of the demo: the shipped framework and a few periods of plausible data.

Each unit gets a hidden "strength" drawn once; its party-building values in every period scatter
around what that strength would achieve, so rankings are stable from period to period. The
business results (revenue and profit growth, the operating grade) are not drawn from the strength:
they are copied from the demo's business figures of the organization and year
(partybuild/demo/business.py, generated independently of party building), as a finance department
would report them — so any relation the effectiveness view finds in the demo is chance, not built
in. Past periods are approved and closed; the current one is open, with every state of the
workflow represented.
"""

import datetime
import json
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessment.choices import PeriodStatus, SubmissionState
from assessment.models import Framework, Indicator, IndicatorValue, Period, Submission, Transition
from assessment.scoring.spec import BandsRubric, FormulaRubric, load_file
from assessment.selectors import engine_framework
from assessment.services import load_framework, publish_framework
from assessment.services.periods import create_period, open_period
from core.bulk import insert_rows

from .business import GRADE_POINTS, DemoFigures, demo_figures

FRAMEWORK_FILE = Path(settings.BASE_DIR) / "assessment" / "data" / "framework.yaml"
SEED = 2016
BATCH = 2000
DEMO_YEARS = (2023, 2024, 2025)  # closed and approved; 2026 is open
TRANSITION_COLUMNS = ("submission_id", "from_state", "to_state", "by_id", "at", "reason", "values")
VALUE_COLUMNS = (
    "submission_id",
    "indicator_id",
    "value",
    "reviewed_value",
    "review_reason",
    "updated_at",
    "updated_by_id",
)

TEXTS = (
    "全年按计划完成各项党建工作任务，组织生活规范有序。",
    "围绕科研生产中心任务开展党建工作，党员先锋模范作用发挥明显。",
    "落实“三会一课”制度，创新主题党日形式，党员参与度较高。",
)


def shipped_framework() -> Framework:
    """The shipped framework, loaded and published once."""
    data = load_file(FRAMEWORK_FILE)
    framework = Framework.objects.filter(code=data["code"], version=str(data["version"])).first()
    if framework is None:
        framework = load_framework(data)
    if framework.is_draft:
        framework = publish_framework(framework)
    return framework


@transaction.atomic
def load_demo_assessment(*, today: datetime.date | None = None) -> dict[str, int]:
    """Periods 2023–2025 approved and closed, 2026 open; idempotent (skips what exists)."""
    today = today or timezone.localdate()
    framework = shipped_framework()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["admin", "reviewer", "secretary"])
    }
    actor = users.get("admin")
    created = {"periods": 0, "submissions": 0, "values": 0}
    for year in (*DEMO_YEARS, DEMO_YEARS[-1] + 1):
        if Period.objects.filter(framework=framework, kind="year", start__year=year).exists():
            continue
        period = create_period(
            framework=framework,
            kind="year",
            name=f"{year}年度",
            name_en=f"Year {year}",
            start=datetime.date(year, 1, 1),
            end=datetime.date(year, 12, 31),
            deadline=datetime.date(year + 1, 1, 31),
        )
        created["submissions"] += open_period(period)
        created["periods"] += 1
        closed = year in DEMO_YEARS
        created["values"] += _fill(period, framework, closed=closed, users=users)
        if closed and actor is not None:
            _approve_and_close(period, users)
    return created


def _strength(rng: random.Random) -> float:
    return min(1.0, max(0.35, rng.gauss(0.82, 0.12)))


def _value(indicator, strength: float, rng: random.Random, figures: DemoFigures | None = None):
    """A plausible value for one indicator of a unit of this strength; the business results are
    its organization's `figures` of the year."""
    kind = indicator.kind
    jitter = rng.uniform(0.9, 1.1)
    if indicator.value_type == "text":
        return rng.choice(TEXTS)
    if indicator.value_type == "appraisal":
        voters = rng.randint(15, 60)
        excellent = round(voters * strength * rng.uniform(0.55, 0.8))
        competent = round((voters - excellent) * 0.8)
        basic = max(0, voters - excellent - competent - (1 if strength < 0.6 else 0))
        return {
            "voters": voters,
            "excellent": excellent,
            "competent": competent,
            "basic": basic,
            "incompetent": voters - excellent - competent - basic,
        }
    if kind == "veto":
        hit = rng.random() < 0.004
        return hit if indicator.value_type == "boolean" else int(hit)
    if kind in ("deduction", "bonus"):
        expected = (1 - strength) * 3 if kind == "deduction" else strength * 1.5
        return max(0, int(rng.gauss(expected, 0.8)))
    if indicator.value_type == "boolean":
        return rng.random() < strength + 0.1
    if _is_business(indicator):
        return _business_value(indicator, figures, rng)
    target = indicator.target
    if target is None:
        target = 100.0 if indicator.value_type == "percentage" else 10.0
    if _near_full_rate(indicator):
        # Rates that are kept near full (dues paid on time, grievances settled): a middling unit
        # sits in the middle bands, a weak one falls below them, as in real ledgers.
        floor = min(band.limit for band in indicator.rubric.bands)
        return round(min(100.0, 100 - (1 - strength) * (100 - floor) * 1.6 * jitter), 1)
    if indicator.direction == "lower":
        value = max(0.0, target + (1 - strength) * max(target, 2) * rng.uniform(0.5, 2.0))
    else:
        value = target * min(1.15, strength * jitter + 0.08)
    if indicator.value_type == "percentage":
        value = min(100.0, value)
    if indicator.value_type == "count":
        return max(0, round(value))
    return round(value, 1)


def _near_full_rate(indicator) -> bool:
    """A percentage scored in bands that all lie at 80% or more."""
    rubric = indicator.rubric
    return (
        indicator.value_type == "percentage"
        and isinstance(rubric, BandsRubric)
        and rubric.direction == "higher"
        and min(band.limit for band in rubric.bands) >= 80
    )


def rates_within_100(spec, kind: str, values: dict, strength: float) -> dict:
    """The values with every computed percentage within 0–100, as the entry form requires.

    The shipped rates are actual ÷ expected × 100 (attendances): where the two counts, drawn
    apart, put the actual above the expected, the actual becomes a share of the expected that
    follows the unit's strength. No random draw is added, so every other value stays as it was.
    """
    for indicator in spec.indicators_for(kind):
        rubric = indicator.rubric
        if indicator.value_type != "percentage" or not isinstance(rubric, FormulaRubric):
            continue
        if len(rubric.formula.codes) != 2:
            continue
        actual, expected = rubric.formula.codes
        counts = isinstance(values.get(expected), int) and isinstance(values.get(actual), int)
        if counts and values[actual] > values[expected]:
            values[actual] = round(values[expected] * min(1.0, strength + 0.05))
    return values


BUSINESS_RESULTS = "B1."  # the shipped framework's core business results
PROFIT_GROWTH = "B1.02"  # B1.01 is the revenue growth
OPERATING_GRADE = "B1.03"  # the regulator's operating assessment: A=4 … D=1


def _business_value(indicator, figures: DemoFigures | None, rng: random.Random):
    """The unit's business figure for this indicator, as its finance department reports it.

    The two draws the values once took are still made and dropped, so that every other value of
    the unit (drawn after it from the same generator) stays as it was.
    """
    rng.random()
    rng.gauss(0, 1)
    if figures is None:
        raise ValueError(f"{indicator.code}: no business figures for this unit")
    if indicator.code == OPERATING_GRADE:
        return GRADE_POINTS[figures.grade]
    if indicator.code == PROFIT_GROWTH:
        return round(figures.profit_growth, 1)
    return round(figures.revenue_growth, 1)


def _is_business(indicator) -> bool:
    return indicator.code.startswith(BUSINESS_RESULTS)


def _fill(period: Period, framework: Framework, *, closed: bool, users: dict) -> int:
    """Values for the period's submissions; the open period gets every state of the workflow."""
    spec = engine_framework(framework)
    ids = dict(Indicator.objects.filter(framework=framework).values_list("code", "pk"))
    entry = {
        kind.code: [i for i in spec.indicators_for(kind.code) if i.kind != "formula"]
        for kind in spec.subject_kinds
    }
    # Formula inputs are entered too (they are "none" indicators feeding the formula).
    # Units are keyed by their codes, in their codes' order: the values must not depend on the
    # database's primary keys (a test database's sequences are wherever earlier tests left them).
    submissions = list(
        Submission.objects.filter(period=period)
        .values_list(
            "pk",
            "subject_kind",
            "organization__code",
            "person__employee_number",
            "department__code",
        )
        .order_by(
            "organization__code", "subject_kind", "person__employee_number", "department__code"
        )
    )
    rows: list[tuple] = []
    now = timezone.now()
    secretary_id = users["secretary"].pk if "secretary" in users else None
    filled_states: dict[int, str] = {}
    year_rng = random.Random(f"{SEED}-{period.start.year}")
    year = period.start.year
    # The kinds with business results take them from their organization's figures of the year.
    business = {k for k, indicators in entry.items() if any(_is_business(i) for i in indicators)}
    for pk, kind, org_code, person_number, department_code in submissions:
        unit_key = f"{kind}-{org_code}-{person_number}-{department_code}"
        strength = _strength(random.Random(f"{SEED}-{unit_key}"))
        if not closed:
            draw = year_rng.random()
            if draw < 0.35:
                continue  # not started yet
            state = (
                SubmissionState.DRAFT
                if draw < 0.6
                else SubmissionState.SUBMITTED
                if draw < 0.8
                else SubmissionState.APPROVED
            )
            filled_states[pk] = state
        rng = random.Random(f"{SEED}-{unit_key}-{year}")
        figures = demo_figures(org_code, year) if kind in business else None
        values = {i.code: _value(i, strength, rng, figures) for i in entry[kind]}
        for code, value in rates_within_100(spec, kind, values, strength).items():
            rows.append(
                (pk, ids[code], json.dumps(value, ensure_ascii=False), None, "", now, secretary_id)
            )
    # Hundreds of thousands of rows: straight INSERTs (COPY on PostgreSQL), not bulk_create.
    insert_rows(IndicatorValue, VALUE_COLUMNS, rows)
    if not closed:
        _set_open_states(filled_states, users)
    return len(rows)


def _set_open_states(states: dict[int, str], users: dict) -> None:
    secretary, reviewer = users.get("secretary"), users.get("reviewer")
    if secretary is None or reviewer is None:
        return
    now = timezone.now()
    steps = []
    for pk, state in states.items():
        if state in (SubmissionState.SUBMITTED, SubmissionState.APPROVED):
            steps.append(
                Transition(submission_id=pk, from_state="draft", to_state="submitted", by=secretary)
            )
        if state == SubmissionState.APPROVED:
            steps.append(
                Transition(
                    submission_id=pk, from_state="submitted", to_state="approved", by=reviewer
                )
            )
    Transition.objects.bulk_create(steps, batch_size=BATCH)
    for state in (SubmissionState.SUBMITTED, SubmissionState.APPROVED):
        ids = [pk for pk, s in states.items() if s == state]
        for start in range(0, len(ids), BATCH):
            Submission.objects.filter(pk__in=ids[start : start + BATCH]).update(
                state=state,
                submitted_at=now,
                approved_at=now if state == SubmissionState.APPROVED else None,
            )


def _approve_and_close(period: Period, users: dict) -> None:
    """A past period: every submission submitted, approved and locked, with its transitions."""
    secretary, reviewer = users.get("secretary"), users.get("reviewer")
    ids = list(Submission.objects.filter(period=period).values_list("pk", flat=True))
    deadline = timezone.make_aware(datetime.datetime.combine(period.deadline, datetime.time(9, 0)))
    submitted = deadline - datetime.timedelta(days=20)
    approved = deadline - datetime.timedelta(days=10)
    steps = []
    for pk in ids:
        steps += [
            (pk, "draft", "submitted", secretary.pk, submitted, "", "{}"),
            (pk, "submitted", "approved", reviewer.pk, approved, "", "{}"),
            (pk, "approved", "locked", reviewer.pk, deadline, "", "{}"),
        ]
    insert_rows(Transition, TRANSITION_COLUMNS, steps)
    Submission.objects.filter(period=period).update(
        state=SubmissionState.LOCKED, submitted_at=submitted, approved_at=approved
    )
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED, closed_at=deadline)


def score_demo_periods() -> int:
    """Compute the scores and roll-ups of every demo period that has none yet, in this process.

    The demo writes its values and approvals in bulk, so no approval task ran: without this the
    dashboards and reports of a fresh demo would be empty until the nightly recompute.
    Returns how many periods were computed.
    """
    from assessment.models import ScoreRun
    from assessment.services import scores

    done = set(
        ScoreRun.objects.filter(status=ScoreRun.Status.DONE).values_list("period_id", flat=True)
    )
    computed = 0
    for period in Period.objects.exclude(status=PeriodStatus.PLANNED).order_by("start", "pk"):
        if period.pk in done:
            continue
        run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.COMMAND, enqueue=False)
        scores.run_full_recompute(run.pk, token=run.task_id or f"demo-{run.pk}")
        computed += 1
    return computed
