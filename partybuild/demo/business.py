"""The demo's business figures: seven years of revenue, profit, their growth and grades for the
group, its committees and their general branches, generated independently of party building.

Each figure comes from draws seeded by organization codes and the year only — never by anything
the party-building demo draws — so whatever relation the effectiveness analysis finds between the
figures and the scores is chance, as it should be on made-up data. Each committee has a trade
trend (its usual growth); each of its general branches is a business unit that follows that trade
with its own deviation, its own margin and a smaller revenue, and scatters around it year by year.
A committee's figures are the sum of its general branches plus a part of its own. The group is
the sum of its committees scaled to the seed's figures: about 20% growth a year and the
regulator's A grade. The regulator grades the group and the committees (a year and a term); a
committee grades its general branches (a year).

`demo_figures(code, year)` computes one organization's figures of a year without the database,
also for the open year that has no stored figures yet: the assessment demo copies the business
indicators of its submissions from it, as a finance department would report them.
Idempotent: nothing is written when the demo already has figures.
"""

import random
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from business.choices import FigureSource
from business.models import BusinessFigure, BusinessMeasure
from organizations.models import Organization

from .organizations import COMMITTEE_CODES, DEMO_GROUP_CODE, GENERAL_BRANCHES_PER_COMMITTEE

SEED = 2016
FIRST_YEAR, LAST_YEAR = 2019, 2025  # the closed years: the open year has no figures yet
TERMS = ((2019, 2021), (2022, 2024))  # the regulator assesses a term of three years
UNIT_REVENUE = (10_000, 120_000)  # 10k yuan: a general branch's business
OWN_REVENUE = (30_000, 300_000)  # a committee's business outside its general branches
GRADE_POINTS = {"A": 4, "B": 3, "C": 2, "D": 1}  # how the assessment enters a grade

Series = dict[int, tuple[float, float]]  # year → (revenue, profit), 10k yuan


@dataclass(frozen=True)
class DemoFigures:
    """One organization's figures of one year, rounded as they are stored (growth in %)."""

    revenue: float
    profit: float
    revenue_growth: float
    profit_growth: float
    grade: str


def general_branch_codes(committee: str) -> list[str]:
    """The codes of a demo committee's general branches (CETC14 → CETC14-01 … CETC14-05)."""
    return [f"{committee}-{n:02d}" for n in range(1, GENERAL_BRANCHES_PER_COMMITTEE + 1)]


def demo_figures(code: str, year: int) -> DemoFigures:
    """The figures of the organization with this code in this year, from the code and year only.

    The group, a committee or any other code (a business unit, as a general branch); years after
    LAST_YEAR extend the same series, so the open year has figures to report too.
    """
    series = _series_of(code, max(year, LAST_YEAR))
    revenue, profit = series[year]
    before_revenue, before_profit = series[year - 1]
    growth = (revenue / before_revenue - 1) * 100
    profit_growth = (profit / before_profit - 1) * 100
    grade = "A" if code == DEMO_GROUP_CODE else _grade(growth, profit / revenue)
    return DemoFigures(
        revenue=round(revenue, 2),
        profit=round(profit, 2),
        revenue_growth=round(growth, 2),
        profit_growth=round(profit_growth, 2),
        grade=grade,
    )


def load_demo_business() -> int:
    """The figures of the group, its committees and their general branches; returns how many
    were written."""
    if BusinessFigure.objects.exists():
        return 0
    measures = {m.code: m for m in BusinessMeasure.objects.filter(built_in=True)}
    graded = [DEMO_GROUP_CODE, *COMMITTEE_CODES]  # by the regulator, also for its terms
    units = [code for committee in COMMITTEE_CODES for code in general_branch_codes(committee)]
    orgs = Organization.objects.filter(code__in=[*graded, *units]).order_by("code")
    if not any(org.code == DEMO_GROUP_CODE for org in orgs) or len(measures) < 6:
        return 0
    rows: list[BusinessFigure] = []
    for org in orgs:
        rows += _figures(org, measures, terms=org.code in graded)
    BusinessFigure.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@cache
def _series_of(code: str, last_year: int) -> Series:
    if code == DEMO_GROUP_CODE:
        return _group_series(last_year)
    if code in COMMITTEE_CODES:
        return _committee_series(code, last_year)
    trade = code.split("-")[0] if code.split("-")[0] in COMMITTEE_CODES else code
    return _unit_series(code, trade, last_year, UNIT_REVENUE)


def _unit_series(code: str, trade: str, last_year: int, scale: tuple[int, int]) -> Series:
    """A business unit's revenue and profit by year: its trade's trend and year, its own
    deviation from the trend, margin, size and year."""
    trend = random.Random(f"{SEED}-business-trade-{trade}").uniform(0.06, 0.24)
    rng = random.Random(f"{SEED}-business-{code}")
    trend += rng.uniform(-0.05, 0.05)
    margin = rng.uniform(0.05, 0.14)
    revenue = rng.uniform(*scale)
    out = {}
    for year in range(FIRST_YEAR - 1, last_year + 1):
        trade_year = random.Random(f"{SEED}-business-trade-{trade}-{year}").gauss(0, 0.04)
        year_rng = random.Random(f"{SEED}-business-{code}-{year}")
        revenue *= max(0.5, 1 + trend + trade_year + year_rng.gauss(0, 0.04))
        profit = revenue * max(0.005, margin + year_rng.gauss(0, 0.008))
        out[year] = (revenue, profit)
    return out


def _committee_series(code: str, last_year: int) -> Series:
    """Its general branches plus its own part (the offices' and subsidiaries' business)."""
    parts = [_series_of(unit, last_year) for unit in general_branch_codes(code)]
    parts.append(_unit_series(f"{code}-own", code, last_year, OWN_REVENUE))
    return {
        year: (sum(p[year][0] for p in parts), sum(p[year][1] for p in parts)) for year in parts[0]
    }


def _group_series(last_year: int) -> Series:
    """The group: about 20% growth a year (the seed's figure), its own steady margin of 9%.

    The trend is a little over 20% so that the closed years of the regulator's term average at
    least the 20% the terms measure, as the seed says the group achieved."""
    first = sum(_series_of(code, last_year)[FIRST_YEAR - 1][0] for code in COMMITTEE_CODES)
    out = {}
    for number, year in enumerate(range(FIRST_YEAR - 1, last_year + 1)):
        rng = random.Random(f"{SEED}-business-group-{year}")
        revenue = first * 1.205**number * (1 + rng.gauss(0, 0.01))
        out[year] = (revenue, revenue * (0.09 + rng.gauss(0, 0.002)))
    return out


def _grade(growth: float, margin: float) -> str:
    """The grade as the demo draws it, by the regulator for a committee and by a committee for a
    general branch: from growth and margin, not party building."""
    if growth >= 15 and margin >= 0.08:
        return "A"
    if growth >= 8:
        return "B"
    return "C" if growth >= 0 else "D"


def _figures(org: Organization, measures: dict, *, terms: bool) -> list[BusinessFigure]:
    rows = []
    grades: dict[int, str] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        figures = demo_figures(org.code, year)
        grades[year] = figures.grade
        numbers = {
            "revenue": figures.revenue,
            "profit": figures.profit,
            "revenue_growth": figures.revenue_growth,
            "profit_growth": figures.profit_growth,
        }
        for code, value in numbers.items():
            rows.append(_figure(org, measures[code], year, value=value))
        rows.append(_figure(org, measures["sasac_grade"], year, grade=figures.grade))
    if terms:
        for first, last in TERMS:
            term = [grades[y] for y in range(first, last + 1)]
            worst = max(term, key="ABCD".index)
            rows.append(_figure(org, measures["sasac_term_grade"], last, grade=worst))
    return rows


def _figure(org, measure, year: int, *, value: float | None = None, grade: str = ""):
    return BusinessFigure(
        organization=org,
        measure=measure,
        year=year,
        value=None if value is None else Decimal(str(round(value, 2))),
        grade=grade,
        source=FigureSource.DEMO,  # the effectiveness page says none of it is evidence
        note="演示数据（随机生成，与党建得分无关）",
    )
