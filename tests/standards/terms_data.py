"""Scored years for the terms tests: the standards framework with business indicators (revenue
growth B1.01, profit growth B1.02, the regulator's grade B1.03 entered as A = 4 … D = 1) and
three scored years 2024–2026 over the shared tree.

Branches' terms run 2024–2026 (three years), the group's and committees' 2022–2026 (five).
"""

from dataclasses import dataclass

from django.utils import timezone

from assessment.choices import PeriodStatus, SubjectUnit, SubmissionState
from assessment.models import Indicator, IndicatorValue, Period, Submission
from tests.builders import roll_up
from tests.factories import FrameworkFactory, PeriodFactory

from .framework import standards_framework

TOP = ["group", "committee"]


def _business(code: str, name: str) -> dict:
    return {
        "code": code,
        "name": {"zh": name, "en": name},
        "dimension": "C1",
        "applies_to": TOP,
        "value_type": "number",
        "unit": {"zh": "%", "en": "%"},
        "weight": 0,
        "frequency": "year",
        "rubric": {"kind": "none"},
    }


def terms_framework_doc() -> dict:
    doc = standards_framework()
    doc["indicators"] += [
        _business("B1.01", "Revenue growth"),
        _business("B1.02", "Profit growth"),
        _business("B1.03", "Business grade"),
    ]
    doc["standards"]["terms"].update(
        revenue_growth="B1.01", profit_growth="B1.02", business_grade="B1.03"
    )
    return doc


GOOD = {"C1.01": "10", "C1.02": "yes", "C1.03": "100", "C1.09": "no"}
WEAK = {"C1.01": "5", "C1.02": "no", "C1.03": "60", "C1.09": "no"}
VETO = {**GOOD, "C1.09": "yes"}
# Revenue and profit growth (%) and the business grade of the group and committees, by year.
BUSINESS = {
    2024: {"B1.01": "25", "B1.02": "20", "B1.03": "4"},
    2025: {"B1.01": "20", "B1.02": "10", "B1.03": "4"},
    2026: {"B1.01": "15.5", "B1.02": "-5", "B1.03": "3"},
}


@dataclass
class TermYears:
    framework: object
    periods: dict[int, Period]


def scored_years(tree, years=(2024, 2025, 2026)) -> TermYears:
    """Each year: every organization entered, A1b vetoed in 2025, A1a weak in 2024, B1 never
    scored in 2026; rolled up (the term results are not computed: the tests call the service)."""
    framework = FrameworkFactory(document=terms_framework_doc())
    periods = {}
    for year in years:
        values = {
            tree.group: {**GOOD, **BUSINESS[year]},
            tree.a: {**GOOD, **BUSINESS[year]},
            tree.b: {**GOOD, **BUSINESS[year]},
            tree.a1: GOOD,
            tree.a1a: WEAK if year == 2024 else GOOD,
            tree.a1b: VETO if year == 2025 else GOOD,
        }
        if year != 2026:
            values[tree.b1] = GOOD
        periods[year] = scored(framework, year, values)
    return TermYears(framework, periods)


def scored(framework, year: int, values: dict, *, closed: bool = True) -> Period:
    """A year period with the organizations' own submissions holding `values`, approved, rolled
    up and (unless `closed=False`) closed: a term counts the years that are over
    (tests.builders.store writes into any submission of an organization; the standards framework
    also has its members' submissions)."""
    period = PeriodFactory(framework=framework, year=year)
    ids = dict(Indicator.objects.filter(framework=framework).values_list("code", "pk"))
    own = dict(
        Submission.objects.filter(period=period, subject_unit=SubjectUnit.ORGANIZATION).values_list(
            "organization_id", "pk"
        )
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(submission_id=own[org.pk], indicator_id=ids[code], value=value)
            for org, entered in values.items()
            for code, value in entered.items()
        ]
    )
    now = timezone.now()
    Submission.objects.filter(pk__in=[own[org.pk] for org in values]).update(
        state=SubmissionState.APPROVED, submitted_at=now, approved_at=now
    )
    period = roll_up(period)
    if closed:
        Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED)
        period.refresh_from_db()
    return period
