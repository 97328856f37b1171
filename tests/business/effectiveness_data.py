"""Data for the effectiveness tests (business, dashboards, reports): twelve committees under the
shared tree's group, scored in 2025 and 2026 on the insight test framework, their party building
following a strength, and business figures entered apart, as the finance side would.

Each test module makes its own small fixtures from these functions.
"""

from decimal import Decimal
from importlib import import_module

from django.apps import apps as django_apps

from business.choices import FigureSource
from business.models import BusinessFigure, BusinessMeasure
from tests.builders import scored_period
from tests.dashboards.insight_fixtures import add_committees, committee_values

# From 0.5 up: every committee holds its meetings, so party building follows the study sessions.
STRENGTHS = (0.9, 0.5, 0.7, 0.55, 0.95, 0.6, 0.8, 0.65, 0.75, 0.85, 0.58, 0.72)
BRANCH_VALUES = {"C1.01": 8, "C2.01": True, "C2.02": True}


def measure(code: str) -> BusinessMeasure:
    """A built-in measure; made again when a browser test's flush took the migration's rows."""
    if not BusinessMeasure.objects.filter(built_in=True).exists():
        import_module("business.migrations.0002_built_in_measures").create(django_apps, None)
    return BusinessMeasure.objects.get(code=code)


def figure(org, code: str, year: int, value=None, grade: str = "", source=FigureSource.ENTERED):
    return BusinessFigure.objects.create(
        organization=org,
        measure=measure(code),
        year=year,
        value=None if value is None else Decimal(str(value)),
        grade=grade,
        source=source,
    )


def add_figures(orgs, strengths, years=(2025, 2026)):
    """Growth that follows each committee's strength, grades by strength, revenue by size."""
    for org, strength in zip(orgs, strengths, strict=True):
        for year in years:
            figure(org, "revenue_growth", year, round(30 * strength - 5 + year % 2, 1))
            figure(org, "revenue", year, 1000 + org.pk)
            figure(org, "sasac_grade", year, grade="ABCD"[min(3, int((1 - strength) * 4))])


def committees_of(tree) -> list:
    """A and B of the shared tree and ten more committees under the group: one per strength."""
    return [tree.a, tree.b, *add_committees(tree.group, len(STRENGTHS) - 2)]


def score_two_years(tree, committees, framework) -> tuple:
    """2025 and 2026 scored: the committees by strength, the branches alike."""
    values = {org.pk: committee_values(s) for org, s in zip(committees, STRENGTHS, strict=True)}
    for branch in (tree.a1a, tree.a1b, tree.b1):
        values[branch.pk] = BRANCH_VALUES
    return scored_period(framework, 2025, values), scored_period(framework, 2026, values)
