"""The demo's business figures: seven years of revenue, profit, their growth and the regulator's
grades for the group and its committees, generated independently of party building.

Each organization's figures come from draws seeded by its code and the year only — never by
anything the party-building demo draws — so whatever relation the effectiveness analysis finds
between them and the scores is chance, as it should be on made-up data. Each committee has a
trade trend (its usual growth) and a margin; a year's growth scatters around the trend. The group
is the sum of its committees scaled to the seed's figures: about 20% growth a year and the
regulator's A grade. Idempotent: nothing is written when the demo already has figures.
"""

import random
from decimal import Decimal

from business.choices import FigureSource
from business.models import BusinessFigure, BusinessMeasure
from organizations.models import Organization

from .organizations import COMMITTEE_CODES, DEMO_GROUP_CODE

SEED = 2016
FIRST_YEAR, LAST_YEAR = 2019, 2025  # the closed years: the open year has no figures yet
TERMS = ((2019, 2021), (2022, 2024))  # the regulator assesses a term of three years


def load_demo_business() -> int:
    """The figures of the group and its committees; returns how many were written."""
    if BusinessFigure.objects.exists():
        return 0
    measures = {m.code: m for m in BusinessMeasure.objects.filter(built_in=True)}
    group = Organization.objects.filter(code=DEMO_GROUP_CODE).first()
    committees = list(Organization.objects.filter(code__in=COMMITTEE_CODES))
    if group is None or not committees or len(measures) < 6:
        return 0
    rows: list[BusinessFigure] = []
    series = {org.pk: _series(org.code) for org in committees}
    for org in committees:
        rows += _figures(org, series[org.pk], measures)
    rows += _figures(group, _group_series(series), measures)
    BusinessFigure.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _series(code: str) -> dict[int, tuple[float, float]]:
    """Revenue and profit (10k yuan) by year, from the committee's own trend and margin."""
    rng = random.Random(f"{SEED}-business-{code}")
    trend = rng.uniform(0.06, 0.24)
    margin = rng.uniform(0.05, 0.14)
    revenue = rng.uniform(80_000, 900_000)
    out = {}
    for year in range(FIRST_YEAR - 1, LAST_YEAR + 1):
        year_rng = random.Random(f"{SEED}-business-{code}-{year}")
        revenue *= 1 + trend + year_rng.gauss(0, 0.06)
        profit = revenue * max(0.005, margin + year_rng.gauss(0, 0.008))
        out[year] = (revenue, profit)
    return out


def _group_series(committees: dict[int, dict[int, tuple[float, float]]]) -> dict:
    """The group: about 20% growth a year (the seed's figure), its own margin of 9%."""
    first = sum(s[FIRST_YEAR - 1][0] for s in committees.values())
    out = {}
    for number, year in enumerate(range(FIRST_YEAR - 1, LAST_YEAR + 1)):
        rng = random.Random(f"{SEED}-business-group-{year}")
        revenue = first * 1.2**number * (1 + rng.gauss(0, 0.01))
        out[year] = (revenue, revenue * (0.09 + rng.gauss(0, 0.004)))
    return out


def _grade(growth: float, margin: float) -> str:
    """The regulator's grade as the demo draws it: from growth and margin, not party building."""
    if growth >= 15 and margin >= 0.08:
        return "A"
    if growth >= 8:
        return "B"
    return "C" if growth >= 0 else "D"


def _figures(org: Organization, series: dict, measures: dict) -> list[BusinessFigure]:
    rows = []
    grades: dict[int, str] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        revenue, profit = series[year]
        before_revenue, before_profit = series[year - 1]
        growth = (revenue / before_revenue - 1) * 100
        profit_growth = (profit / before_profit - 1) * 100
        grades[year] = "A" if org.code == DEMO_GROUP_CODE else _grade(growth, profit / revenue)
        numbers = {
            "revenue": revenue,
            "profit": profit,
            "revenue_growth": growth,
            "profit_growth": profit_growth,
        }
        for code, value in numbers.items():
            rows.append(_figure(org, measures[code], year, value=value))
        rows.append(_figure(org, measures["sasac_grade"], year, grade=grades[year]))
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
        source=FigureSource.IMPORTED,
        note="演示数据（随机生成，与党建得分无关）",
    )
