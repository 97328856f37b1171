"""The demo's business indicators (B1.01–B1.03 in partybuild/demo/assessment.py) are copied from
the demo's business figures of the organization and year, as a finance department would report
them: they do not follow the unit's party-building strength."""

import pytest

from assessment.models import IndicatorValue, Submission
from partybuild.demo import assessment
from partybuild.demo.business import GRADE_POINTS, demo_figures
from partybuild.demo.organizations import COMMITTEE_CODES, DEMO_GROUP_CODE
from tests.factories import OrganizationFactory, kind

pytestmark = pytest.mark.django_db

BUSINESS = ("B1.01", "B1.02", "B1.03")


@pytest.fixture
def group(db):
    root = OrganizationFactory(code=DEMO_GROUP_CODE, kind=kind("group"))
    for code in COMMITTEE_CODES[:2]:
        OrganizationFactory(code=code, kind=kind("committee"), parent=root)
    return root


def _business_values(code: str, year: int) -> dict[str, object]:
    submission = Submission.objects.get(
        organization__code=code, period__start__year=year, subject_unit="organization"
    )
    rows = IndicatorValue.objects.filter(submission=submission, indicator__code__in=BUSINESS)
    return dict(rows.values_list("indicator__code", "value"))


def _reported(code: str, year: int) -> dict[str, object]:
    figures = demo_figures(code, year)
    return {
        "B1.01": round(figures.revenue_growth, 1),
        "B1.02": round(figures.profit_growth, 1),
        "B1.03": GRADE_POINTS[figures.grade],
    }


def test_a_committees_business_indicators_are_its_figures_of_a_closed_year(group):
    assessment.load_demo_assessment()
    assert _business_values(COMMITTEE_CODES[0], 2024) == _reported(COMMITTEE_CODES[0], 2024)


def test_every_filled_year_reports_the_figures_of_that_year(group):
    """The closed years and the open one (whose figures extend the same series)."""
    assessment.load_demo_assessment()
    open_year = assessment.DEMO_YEARS[-1] + 1
    filled = set()
    for code in (DEMO_GROUP_CODE, *COMMITTEE_CODES[:2]):
        for year in (*assessment.DEMO_YEARS, open_year):
            values = _business_values(code, year)
            if values:  # not so for an open-year submission the demo leaves not started
                assert values == _reported(code, year), (code, year)
                filled.add(year)
    assert filled == {*assessment.DEMO_YEARS, open_year}


def test_the_business_indicators_do_not_follow_the_strength(group, monkeypatch):
    """A weak unit and a strong one report the same business results: the figures'."""
    monkeypatch.setattr(assessment, "_strength", lambda rng: 0.35)
    assessment.load_demo_assessment()
    weak = _business_values(COMMITTEE_CODES[1], 2023)
    assert weak == _reported(COMMITTEE_CODES[1], 2023)
    Submission.objects.all().delete()
    assessment.Period.objects.all().delete()
    monkeypatch.setattr(assessment, "_strength", lambda rng: 1.0)
    assessment.load_demo_assessment()
    assert _business_values(COMMITTEE_CODES[1], 2023) == weak
