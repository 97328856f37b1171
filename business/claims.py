"""The seed's own claims about business results, checked against the business figures: pure, no
Django.

The seed document says of the group that it has had the regulator's A grade so many years in a
row, an A grade for each term, and about 20% growth a year. ``claims_of`` reads exactly those
three things off one organization's figures up to a year, so the page can set each claim beside
the figures it rests on:

- the years in a row with an annual A grade, counted back from the year (a year without a grade
  ends the run);
- the term grades up to the year, and how many of them are A;
- the average annual growth of revenue and of profit over the last ``window`` years: compound
  from the revenue (or profit) figures at both ends when both are there, otherwise the mean of
  the yearly growth figures; and whether it reaches the target.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "GRADE_MEASURES",
    "GROWTH_WINDOW",
    "TOP_GRADE",
    "Claims",
    "Growth",
    "average_growth",
    "claims_of",
]

TOP_GRADE = "A"
GROWTH_WINDOW = 3  # years of growth averaged: the regulator's term

# The built-in measures the claims read (business app, migration 0002).
REVENUE, PROFIT = "revenue", "profit"
REVENUE_GROWTH, PROFIT_GROWTH = "revenue_growth", "profit_growth"
ANNUAL_GRADE, TERM_GRADE = "sasac_grade", "sasac_term_grade"
GRADE_MEASURES = frozenset({ANNUAL_GRADE, TERM_GRADE})  # read as letters, the others as numbers

Figures = Mapping[str, Mapping[int, float | str | None]]  # measure code → year → value or grade


@dataclass(frozen=True, slots=True)
class Growth:
    """Average annual growth in % over ``first``–``last`` (the growth of those years), how it was
    worked out ("compound" from the amounts, "mean" of the yearly rates) and the years it used."""

    percent: float
    first: int
    last: int
    method: str
    years: int

    def meets(self, target: float) -> bool:
        return self.percent >= target


@dataclass(frozen=True, slots=True)
class Claims:
    year: int
    a_years_in_row: int
    annual_grades: tuple[
        tuple[int, str], ...
    ]  # every year with a grade up to the year, oldest first
    term_grades: tuple[tuple[int, str], ...]  # (last year of the term, grade), oldest first
    revenue_growth: Growth | None
    profit_growth: Growth | None
    target: float

    @property
    def terms_a(self) -> int:
        return sum(1 for _year, grade in self.term_grades if grade == TOP_GRADE)

    @property
    def has_any(self) -> bool:
        return bool(
            self.annual_grades or self.term_grades or self.revenue_growth or self.profit_growth
        )


def _years_in_row(grades: Mapping[int, float | str | None], year: int) -> int:
    count = 0
    while grades.get(year - count) == TOP_GRADE:
        count += 1
    return count


def average_growth(
    amounts: Mapping[int, float | str | None],
    rates: Mapping[int, float | str | None],
    year: int,
    window: int = GROWTH_WINDOW,
) -> Growth | None:
    """The average annual growth (%) of the ``window`` years up to ``year``: compound from the
    amounts of the year before the window and of its last year when both are positive numbers,
    else the mean of the yearly rates of the window (those there are); None when neither is there.
    The window ends at the latest year up to ``year`` that has a figure."""
    known = [
        y
        for y in {*amounts, *rates}
        if y <= year and (_number(amounts.get(y)) is not None or _number(rates.get(y)) is not None)
    ]
    if not known:
        return None
    last = max(known)
    first = last - window + 1
    start, end = _number(amounts.get(first - 1)), _number(amounts.get(last))
    if start is not None and end is not None and start > 0 and end > 0:
        percent = ((end / start) ** (1 / window) - 1) * 100
        return Growth(round(percent, 2), first, last, "compound", window)
    yearly = [v for y in range(first, last + 1) if (v := _number(rates.get(y))) is not None]
    if not yearly:
        return None
    return Growth(round(math.fsum(yearly) / len(yearly), 2), first, last, "mean", len(yearly))


def _number(value: float | str | None) -> float | None:
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def claims_of(figures: Figures, year: int, *, target: float = 20.0) -> Claims:
    """The claims of one organization's figures up to ``year`` (later figures are left out)."""
    annual = figures.get(ANNUAL_GRADE, {})
    terms = figures.get(TERM_GRADE, {})
    return Claims(
        year=year,
        a_years_in_row=_years_in_row(annual, year),
        annual_grades=tuple(
            (y, str(grade)) for y, grade in sorted(annual.items()) if y <= year and grade
        ),
        term_grades=tuple(
            (y, str(grade)) for y, grade in sorted(terms.items()) if y <= year and grade
        ),
        revenue_growth=average_growth(
            figures.get(REVENUE, {}), figures.get(REVENUE_GROWTH, {}), year
        ),
        profit_growth=average_growth(figures.get(PROFIT, {}), figures.get(PROFIT_GROWTH, {}), year),
        target=target,
    )
