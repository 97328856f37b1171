"""The demo's business figures (partybuild/demo/business.py): seven closed years for the group,
its committees and their general branches, drawn from codes and years only, never from party
building."""

import inspect

import pytest
from django.db.models import Count

from business.models import BusinessFigure
from organizations.models import Organization
from partybuild.demo import business as demo
from partybuild.demo.organizations import COMMITTEE_CODES, DEMO_GROUP_CODE
from tests.factories import OrganizationFactory, kind

pytestmark = pytest.mark.django_db

GENERAL_BRANCH_CODES = [code for c in COMMITTEE_CODES for code in demo.general_branch_codes(c)]
YEARS = range(demo.FIRST_YEAR, demo.LAST_YEAR + 1)
FIELDS = ("organization__code", "measure__code", "year", "value", "grade")


@pytest.fixture
def group(db):
    """The demo's tree down to the general branches, as seed_demo codes it."""
    root = OrganizationFactory(code=DEMO_GROUP_CODE, kind=kind("group"))
    for code in COMMITTEE_CODES:
        committee = OrganizationFactory(code=code, kind=kind("committee"), parent=root)
        for unit in demo.general_branch_codes(code):
            OrganizationFactory(code=unit, kind=kind("general_branch"), parent=committee)
    return root


def _per_org() -> dict[str, int]:
    return dict(BusinessFigure.objects.values_list("organization__code").annotate(n=Count("pk")))


def test_the_group_and_every_committee_have_seven_years_and_two_terms(group):
    written = demo.load_demo_business()
    per_org = _per_org()
    # 7 years × 5 annual measures + 2 term grades
    assert {code: per_org[code] for code in (DEMO_GROUP_CODE, *COMMITTEE_CODES)} == dict.fromkeys(
        (DEMO_GROUP_CODE, *COMMITTEE_CODES), 37
    )
    assert written == 37 * 9 + 35 * 40
    assert demo.load_demo_business() == 0  # loaded once


def test_every_general_branch_has_seven_years_of_figures_and_no_term(group):
    """The forty general branches are business units graded by their committee each year; the
    regulator's term grades are the group's and the committees' only."""
    demo.load_demo_business()
    per_org = _per_org()
    assert len(GENERAL_BRANCH_CODES) == 40
    assert {code: per_org[code] for code in GENERAL_BRANCH_CODES} == dict.fromkeys(
        GENERAL_BRANCH_CODES, 35
    )
    units = BusinessFigure.objects.filter(organization__code__in=GENERAL_BRANCH_CODES)
    assert not units.filter(measure__code="sasac_term_grade").exists()
    grades = units.filter(measure__code="sasac_grade").values_list("grade", flat=True)
    assert set(grades) <= set("ABCD")
    assert len(set(grades)) > 1  # the committees grade their units apart


def test_a_general_branch_is_smaller_than_its_committee(group):
    """A committee's figures are its general branches' plus a part of its own."""
    committee = COMMITTEE_CODES[0]
    for year in YEARS:
        units = [demo.demo_figures(code, year) for code in demo.general_branch_codes(committee)]
        whole = demo.demo_figures(committee, year)
        assert sum(u.revenue for u in units) < whole.revenue
        assert sum(u.profit for u in units) < whole.profit


def test_the_group_grows_about_twenty_percent_with_a_grades(group):
    demo.load_demo_business()
    figures = BusinessFigure.objects.filter(organization=group)
    growth = [float(f.value) for f in figures.filter(measure__code="revenue_growth")]
    assert len(growth) == 7
    assert all(17 <= g <= 23 for g in growth)
    grades = figures.filter(measure__code__in=["sasac_grade", "sasac_term_grade"])
    assert set(grades.values_list("grade", flat=True)) == {"A"}


def test_the_open_year_extends_the_same_series(group):
    """The open year has figures to report (not stored yet) and adds nothing to the years
    before it."""
    demo.load_demo_business()
    stored = set(BusinessFigure.objects.values_list(*FIELDS))
    open_year = demo.LAST_YEAR + 1
    assert 17 <= demo.demo_figures(DEMO_GROUP_CODE, open_year).revenue_growth <= 23
    for code in (DEMO_GROUP_CODE, COMMITTEE_CODES[0], GENERAL_BRANCH_CODES[0]):
        assert demo.demo_figures(code, open_year).grade in "ABCD"
    demo._series_of.cache_clear()
    demo.demo_figures(COMMITTEE_CODES[0], open_year)  # the longer series computed first
    BusinessFigure.objects.all().delete()
    demo.load_demo_business()
    assert set(BusinessFigure.objects.values_list(*FIELDS)) == stored


def test_the_stored_figures_are_the_generators(group):
    demo.load_demo_business()
    code, year = GENERAL_BRANCH_CODES[7], 2022
    figures = demo.demo_figures(code, year)
    stored = dict(
        BusinessFigure.objects.filter(organization__code=code, year=year).values_list(
            "measure__code", "value"
        )
    )
    assert float(stored["revenue"]) == figures.revenue
    assert float(stored["profit_growth"]) == figures.profit_growth
    grade = BusinessFigure.objects.get(
        organization__code=code, year=year, measure__code="sasac_grade"
    )
    assert grade.grade == figures.grade


def test_the_generator_takes_only_a_code_and_a_year():
    """Nothing of party building can reach the figures: the generator is given none of it."""
    assert list(inspect.signature(demo.demo_figures).parameters) == ["code", "year"]
    demo._series_of.cache_clear()
    first = demo.demo_figures(COMMITTEE_CODES[2], 2024)
    demo._series_of.cache_clear()
    assert demo.demo_figures(COMMITTEE_CODES[2], 2024) == first


def test_the_figures_depend_on_the_organization_code_only(group):
    """Drawn from the code and the year: the same for another organization of that code, whatever
    the party-building demo holds."""
    demo.load_demo_business()
    before = set(BusinessFigure.objects.values_list(*FIELDS))
    BusinessFigure.objects.all().delete()
    Organization.objects.get(code=GENERAL_BRANCH_CODES[0]).delete()
    OrganizationFactory(
        code=GENERAL_BRANCH_CODES[0],
        name="另一个党总支",
        kind=kind("general_branch"),
        parent=Organization.objects.get(code=COMMITTEE_CODES[0]),
    )
    demo.load_demo_business()
    assert set(BusinessFigure.objects.values_list(*FIELDS)) == before


def test_the_demo_figures_say_they_are_made_up(group):
    from business.choices import FigureSource

    demo.load_demo_business()
    assert set(BusinessFigure.objects.values_list("source", flat=True)) == {FigureSource.DEMO}
