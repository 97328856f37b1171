"""Terms, as pure rules: no Django, no database.

A term is a window of consecutive years (three for branches, five for committees) counted from
the framework's `first_year`; an organization's term result aggregates its annual results over
the window (average score, top grades counted, the trend, the term grade) and the term's
business figures (average annual growth of revenue and profit). The group's record (the seed's
"eleven A grades in a row, three term A grades, 20% a year") is read from its annual results
and its terms.

Grades are read on the framework's bands, given best first as ``(grade, min)`` pairs; the top
grade is the first band's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

Bands = Sequence[tuple[str, float]]

# The business grade indicator is entered as a number: A = 4, B = 3, C = 2, D = 1.
BUSINESS_GRADES: dict[int, str] = {4: "A", 3: "B", 2: "C", 1: "D"}
BUSINESS_TOP = "A"
BUSINESS_CHOICES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Window:
    """The years of one term, first and last included."""

    first_year: int
    last_year: int

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int) and self.first_year <= year <= self.last_year


def window(year: int, *, first_year: int, years: int) -> Window | None:
    """The term that contains `year`, terms running back to back from `first_year`; None for a
    year before the first term."""
    if years < 1 or year < first_year:
        return None
    start = first_year + (year - first_year) // years * years
    return Window(start, start + years - 1)


@dataclass(frozen=True)
class TermRule:
    """How long the terms of some organization kinds run and from when."""

    applies_to: tuple[str, ...]
    years: int
    first_year: int


def rule_for(rules: Iterable[TermRule], kind: str) -> TermRule | None:
    """The first rule naming the organization kind."""
    return next((rule for rule in rules if kind in rule.applies_to), None)


@dataclass(frozen=True)
class YearResult:
    """One year of a term: the organization's total score and grade (the veto applied), whether
    a veto fired, and its business figures where entered."""

    year: int
    score: float | None
    grade: str = ""
    vetoed: bool = False
    revenue_growth: float | None = None
    profit_growth: float | None = None
    business: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> YearResult:
        return cls(
            year=int(data["year"]),
            score=data.get("score"),
            grade=data.get("grade") or "",
            vetoed=bool(data.get("vetoed")),
            revenue_growth=data.get("revenue_growth"),
            profit_growth=data.get("profit_growth"),
            business=data.get("business") or "",
        )


def grade_of(score: float | None, bands: Bands) -> str:
    """The band of a score ("" for none or below every band)."""
    if score is None:
        return ""
    for grade, low in bands:
        if score >= low - 1e-9:
            return grade
    return ""


def lower(grade: str, bands: Bands, steps: int = 1) -> str:
    """The grade `steps` bands lower, never below the lowest band."""
    order = [g for g, _low in bands]
    if grade not in order:
        return grade
    return order[min(order.index(grade) + steps, len(order) - 1)]


def worse(first: str, second: str, bands: Bands) -> str:
    """The lower of two grades of the bands (an unknown or empty one is ignored)."""
    order = [g for g, _low in bands]
    known = [g for g in (first, second) if g in order]
    if not known:
        return first or second
    return max(known, key=order.index)


def trend(points: Sequence[tuple[int, float]]) -> float | None:
    """The least-squares slope of score on year, in points a year; None under two years."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _y in points)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return round(slope, 2)


def average_growth(rates: Iterable[float | None]) -> float | None:
    """The average annual growth over the years with a rate, in %: the geometric mean
    (Π(1 + g/100))^(1/n) − 1, which compounds as growth does (+50% then −50% is −13.4% a year,
    not 0). A year that lost everything (−100% or worse) makes the average −100%."""
    known = [float(rate) for rate in rates if rate is not None]
    if not known:
        return None
    product = math.prod(1 + rate / 100 for rate in known)
    if product <= 0:
        return -100.0
    return round((product ** (1 / len(known)) - 1) * 100, 2)


def meets_target(growth: float | None, target: float) -> bool | None:
    return None if growth is None else growth >= target - 1e-9


@dataclass(frozen=True)
class Aggregate:
    """A term's figures from its years."""

    average: float | None
    a_grades: int
    trend: float | None
    complete: bool
    grade: str
    vetoed_years: tuple[int, ...]
    revenue_growth: float | None
    profit_growth: float | None


def aggregate(term: Window, results: Iterable[YearResult], bands: Bands) -> Aggregate:
    """The term's figures from the annual results inside it (others are ignored).

    The term grade is the band of the average score, one band lower when a veto fired in any
    year: the average would otherwise dilute a grave violation into a top term. It is given as
    soon as one year is scored (provisional while the term is incomplete).
    """
    inside = sorted((r for r in results if r.year in term), key=lambda r: r.year)
    scored = [(r.year, float(r.score)) for r in inside if r.score is not None]
    average = round(sum(s for _y, s in scored) / len(scored), 2) if scored else None
    top = bands[0][0] if bands else ""
    vetoed = tuple(r.year for r in inside if r.vetoed)
    grade = grade_of(average, bands)
    if grade and vetoed:
        grade = lower(grade, bands)
    return Aggregate(
        average=average,
        a_grades=sum(1 for r in inside if top and r.grade == top),
        trend=trend(scored),
        complete={y for y, _s in scored} == set(term.years),
        grade=grade,
        vetoed_years=vetoed,
        revenue_growth=average_growth(r.revenue_growth for r in inside),
        profit_growth=average_growth(r.profit_growth for r in inside),
    )


def business_grade(value: Any) -> str:
    """The business grade entered as a number (A = 4 … D = 1) as its letter; "" otherwise."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    if not number.is_integer():
        return ""
    return BUSINESS_GRADES.get(int(number), "")


def rate(value: Any) -> float | None:
    """A growth rate entered as a number (in %, "12.5" or 12.5); None when it is not one."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Run:
    """Consecutive years with the top grade."""

    length: int = 0
    first_year: int | None = None
    last_year: int | None = None


def runs(graded: Mapping[int, str], top: str) -> tuple[Run, Run]:
    """The run of `top` grades that ends at the latest graded year (the seed's "years in a row",
    0 when that year is not a top grade) and the longest run; a year without a grade breaks a
    run."""
    if not graded:
        return Run(), Run()
    longest = current = Run()
    for year in range(min(graded), max(graded) + 1):
        if graded.get(year) == top:
            first = current.first_year if current.length else year
            current = Run(current.length + 1, first, year)
            if current.length > longest.length:
                longest = current
        else:
            current = Run()
    return current, longest


@dataclass(frozen=True)
class TermLine:
    """A term of the group as the record counts it."""

    first_year: int
    last_year: int
    grade: str
    business_grade: str
    complete: bool


@dataclass
class GroupRecord:
    """The group's record: top grades in a row (party building and business), term top grades
    and the average annual growth against the target."""

    first_year: int | None
    last_year: int | None
    top_grade: str
    streak: Run
    longest: Run
    business_streak: Run
    business_longest: Run
    term_a_grades: int
    business_term_a_grades: int
    terms: list[TermLine] = field(default_factory=list)
    revenue_growth: float | None = None
    profit_growth: float | None = None
    growth_target: float = 20
    revenue_meets: bool | None = None
    profit_meets: bool | None = None
    years: list[YearResult] = field(default_factory=list)


def group_record(
    years: Iterable[YearResult],
    terms: Iterable[TermLine],
    *,
    top: str,
    growth_target: float = 20,
) -> GroupRecord:
    """The record from the group's annual results (each year once) and its terms; `top` is the
    framework's top grade.

    Term top grades count complete terms only: a term still running has not earned one. The
    growth averages run over every year with a rate.
    """
    by_year = {r.year: r for r in years}
    ordered = [by_year[y] for y in sorted(by_year)]
    streak, longest = runs({r.year: r.grade for r in ordered if r.grade}, top)
    business, business_longest = runs(
        {r.year: r.business for r in ordered if r.business}, BUSINESS_TOP
    )
    lines = sorted(terms, key=lambda t: t.first_year)
    revenue = average_growth(r.revenue_growth for r in ordered)
    profit = average_growth(r.profit_growth for r in ordered)
    return GroupRecord(
        first_year=ordered[0].year if ordered else None,
        last_year=ordered[-1].year if ordered else None,
        top_grade=top,
        streak=streak,
        longest=longest,
        business_streak=business,
        business_longest=business_longest,
        term_a_grades=sum(1 for t in lines if t.complete and top and t.grade == top),
        business_term_a_grades=sum(1 for t in lines if t.business_grade == BUSINESS_TOP),
        terms=lines,
        revenue_growth=revenue,
        profit_growth=profit,
        growth_target=growth_target,
        revenue_meets=meets_target(revenue, growth_target),
        profit_meets=meets_target(profit, growth_target),
        years=ordered,
    )
