"""Correlation of party building with business results: pure arithmetic, no Django.

``correlate(pairs)`` gives Pearson's r and Spearman's ρ of (party-building score, business value)
pairs with n and the strength in a word; ``party_building_share`` takes the business-result
points out of a total so the two sides of the scatter do not share points. The words a page shows
for a strength are the caller's (they are translated); here a strength is one of ``STRENGTHS``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "MIN_PAIRS",
    "STRENGTHS",
    "Correlation",
    "correlate",
    "party_building_share",
    "pearson",
    "ranks",
    "spearman",
    "strength",
]

MIN_PAIRS = 3  # two points always lie on a line: r is ±1 and says nothing
# Upper bounds of |r| for each word, the usual rule of thumb; "very strong" above the last.
STRENGTH_BOUNDS = ((0.2, "very weak"), (0.4, "weak"), (0.6, "moderate"), (0.8, "strong"))
STRENGTHS = (*(word for _bound, word in STRENGTH_BOUNDS), "very strong")


def _finite(pairs: Iterable[tuple[float | None, float | None]]) -> list[tuple[float, float]]:
    return [
        (float(x), float(y))
        for x, y in pairs
        if x is not None and y is not None and math.isfinite(x) and math.isfinite(y)
    ]


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None with fewer than ``MIN_PAIRS`` pairs or when either side is constant."""
    n = len(xs)
    if n != len(ys):
        raise ValueError("xs and ys must have the same length")
    if n < MIN_PAIRS:
        return None
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    sxx = math.fsum(d * d for d in dx)
    syy = math.fsum(d * d for d in dy)
    # Relative to the data's own scale: values equal up to rounding are constant.
    if sxx <= 1e-12 * max(1.0, mean_x * mean_x) * n or syy <= 1e-12 * max(1.0, mean_y**2) * n:
        return None
    r = math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)
    return max(-1.0, min(1.0, r))


def ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing the mean of the ranks they span (1, 2.5, 2.5, 4)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    out = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        mean_rank = (start + end) / 2 + 1
        for index in order[start : end + 1]:
            out[index] = mean_rank
        start = end + 1
    return out


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Spearman's ρ: Pearson's r of the ranks (ties averaged), so outliers weigh less."""
    if len(xs) != len(ys):
        raise ValueError("xs and ys must have the same length")
    return pearson(ranks(xs), ranks(ys))


def strength(r: float | None) -> str | None:
    """The strength of a correlation in a word of ``STRENGTHS`` (by |r|); None for no r."""
    if r is None:
        return None
    size = abs(r)
    for bound, word in STRENGTH_BOUNDS:
        if size < bound:
            return word
    return STRENGTHS[-1]


@dataclass(frozen=True, slots=True)
class Correlation:
    """The correlation of n pairs: r (Pearson), rho (Spearman) and r's strength and sign."""

    n: int
    r: float | None
    rho: float | None

    @property
    def strength(self) -> str | None:
        return strength(self.r)

    @property
    def direction(self) -> str | None:
        """ "positive", "negative", or None when there is no r or it is 0."""
        if self.r is None or self.r == 0:
            return None
        return "positive" if self.r > 0 else "negative"


def correlate(pairs: Iterable[tuple[float | None, float | None]]) -> Correlation:
    """The correlation of the pairs whose two values are both known numbers."""
    usable = _finite(pairs)
    xs = [x for x, _y in usable]
    ys = [y for _x, y in usable]
    r = pearson(xs, ys)
    rho = spearman(xs, ys) if r is not None else None
    return Correlation(
        n=len(usable),
        r=None if r is None else round(r, 4),
        rho=None if rho is None else round(rho, 4),
    )


def party_building_share(
    total: float, maximum: float, business_points: float, business_max: float
) -> float | None:
    """The party-building score on a 0–100 scale: the total without the business-result points,
    over the maximum without theirs. Bonus points stay in, so it can pass 100 a little.

    None when nothing but business results is scored (no party-building maximum left).
    """
    rest = maximum - business_max
    if rest <= 0:
        return None
    return round((total - business_points) / rest * 100, 2)
