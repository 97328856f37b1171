"""The demo's business figures (partybuild/demo/business.py): seven closed years for the group
and its committees, drawn without looking at party building."""

import pytest
from django.db.models import Count

from business.models import BusinessFigure
from organizations.models import Organization
from partybuild.demo import business as demo
from partybuild.demo.organizations import COMMITTEE_CODES, DEMO_GROUP_CODE
from tests.factories import OrganizationFactory, kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(db):
    root = OrganizationFactory(code=DEMO_GROUP_CODE, kind=kind("group"))
    for code in COMMITTEE_CODES:
        OrganizationFactory(code=code, kind=kind("committee"), parent=root)
    return root


def test_every_committee_and_the_group_have_seven_years_of_every_measure(group):
    written = demo.load_demo_business()
    per_org = dict(BusinessFigure.objects.values_list("organization__code").annotate(n=Count("pk")))
    # 7 years × 5 annual measures + 2 term grades
    assert per_org == dict.fromkeys((DEMO_GROUP_CODE, *COMMITTEE_CODES), 37)
    assert written == 37 * 9
    assert demo.load_demo_business() == 0  # loaded once


def test_the_group_grows_about_twenty_percent_with_a_grades(group):
    demo.load_demo_business()
    figures = BusinessFigure.objects.filter(organization=group)
    growth = [float(f.value) for f in figures.filter(measure__code="revenue_growth")]
    assert all(17 <= g <= 23 for g in growth)
    assert set(figures.filter(measure__code="sasac_grade").values_list("grade", flat=True)) == {"A"}


def test_the_figures_depend_on_the_organization_code_only(group):
    """Drawn from the code and the year: the same whatever the party-building demo holds."""
    demo.load_demo_business()
    fields = ("organization__code", "measure__code", "year", "value", "grade")
    before = set(BusinessFigure.objects.values_list(*fields))
    BusinessFigure.objects.all().delete()
    Organization.objects.filter(code=COMMITTEE_CODES[0]).update(name="改名后的党委")
    demo.load_demo_business()
    after = set(BusinessFigure.objects.values_list(*fields))
    assert after == before
