"""Correlation of party building with business results: pure arithmetic, no Django.

``correlate(pairs)`` gives Pearson's r and Spearman's ρ of (party-building score, business value)
pairs, each with a bootstrap 95% interval, n, the headline coefficient (ρ for an ordinal measure
such as a grade, r for a continuous one), its strength in a word and a verdict: "clear" when the
headline's interval leaves out 0, "unclear" otherwise. Below ``MIN_PAIRS`` pairs (10 unless the
caller says otherwise) there is no coefficient at all. ``lag_pairs`` and ``change_pairs`` build
the pairs of year t against year t+1 and of change against change. ``party_building_share`` takes
the business-result points out of a total so the two sides of the scatter do not share points.
The words a page shows are the caller's (they are translated); here a strength is one of
``STRENGTHS`` and a verdict one of ``VERDICTS``.

The interval is a percentile bootstrap over pairs: ``RESAMPLES`` resamples of n pairs drawn with
replacement, each giving r and ρ (ρ ranked again within the resample, ties averaged); the 2.5th
and 97.5th percentiles bound the interval. The random numbers come from a ``random.Random``
seeded from the pairs themselves, so the same data gives the same interval on every page load,
whatever the order of its units.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from operator import mul
from statistics import NormalDist
from typing import NamedTuple

__all__ = [
    "CONFIDENCE",
    "DEFINED_PAIRS",
    "MIN_PAIRS",
    "RESAMPLES",
    "STRENGTHS",
    "VERDICTS",
    "Correlation",
    "Interval",
    "bootstrap",
    "change_pairs",
    "correlate",
    "lag_pairs",
    "party_building_share",
    "pearson",
    "ranks",
    "spearman",
    "strength",
]

DEFINED_PAIRS = 3  # two points always lie on a line: r is ±1 and says nothing
MIN_PAIRS = 10  # below this many units the page gives no coefficient at all
RESAMPLES = 1000  # bootstrap resamples behind each interval
CONFIDENCE = 0.95
# A resample whose one side does not vary has no coefficient; when more than this share of the
# resamples have none, the values hardly vary and no interval is given.
MAX_DEGENERATE = 0.1
# Upper bounds of |r| for each word, the usual rule of thumb; "very strong" above the last.
STRENGTH_BOUNDS = ((0.2, "very weak"), (0.4, "weak"), (0.6, "moderate"), (0.8, "strong"))
STRENGTHS = (*(word for _bound, word in STRENGTH_BOUNDS), "very strong")
VERDICTS = ("clear", "unclear")


def _finite(pairs: Iterable[tuple[float | None, float | None]]) -> list[tuple[float, float]]:
    return [
        (float(x), float(y))
        for x, y in pairs
        if x is not None and y is not None and math.isfinite(x) and math.isfinite(y)
    ]


def _constant(sxx: float, mean: float, n: int) -> bool:
    # Relative to the data's own scale: values equal up to rounding are constant.
    return sxx <= 1e-12 * max(1.0, mean * mean) * n


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None with fewer than ``DEFINED_PAIRS`` pairs or when either side is constant.
    (How many pairs a page needs before it shows r is ``correlate``'s ``min_pairs``.)"""
    n = len(xs)
    if n != len(ys):
        raise ValueError("xs and ys must have the same length")
    if n < DEFINED_PAIRS:
        return None
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    sxx = math.fsum(d * d for d in dx)
    syy = math.fsum(d * d for d in dy)
    if _constant(sxx, mean_x, n) or _constant(syy, mean_y, n):
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


# -- the bootstrap --------------------------------------------------------------------------------


class Interval(NamedTuple):
    """A 95% interval of a coefficient."""

    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


class _Ranker:
    """Ranks of one side of the data within a resample, in O(n): the resample is given as how
    many times each pair was drawn, so walking the values in order once gives every rank (ties,
    in the data or from drawing a pair twice, share the mean of the ranks they span)."""

    def __init__(self, values: Sequence[float]):
        order = sorted(range(len(values)), key=values.__getitem__)
        groups: list[list[int]] = []
        for index in order:
            if groups and values[groups[-1][0]] == values[index]:
                groups[-1].append(index)
            else:
                groups.append([index])
        self.order = order
        self.groups = groups
        self.ties = len(groups) < len(values)
        self.group_of = [0] * len(values)
        for number, group in enumerate(groups):
            for index in group:
                self.group_of[index] = number

    def ranks(self, counts: Sequence[int]) -> list[float]:
        if self.ties:
            weights = [sum(counts[i] for i in group) for group in self.groups]
        else:
            weights = [counts[i] for i in self.order]
        # A group drawn c times after p draws of smaller values spans ranks p+1 … p+c; centred
        # on the mean rank (n+1)/2 so the sums of a large resample do not cancel.
        shift = (len(counts) + 1) / 2
        by_group = [
            end - (c - 1) / 2 - shift for end, c in zip(accumulate(weights), weights, strict=True)
        ]
        return [by_group[g] for g in self.group_of]


def _weighted_r(w: Sequence[int], n: int, xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r of a resample given as counts per pair (the values centred beforehand)."""
    sx = sum(map(mul, w, xs))
    sy = sum(map(mul, w, ys))
    wx = list(map(mul, w, xs))
    sxx = sum(map(mul, wx, xs)) - sx * sx / n
    syy = sum(map(mul, map(mul, w, ys), ys)) - sy * sy / n
    sxy = sum(map(mul, wx, ys)) - sx * sy / n
    if sxx <= 1e-12 * n or syy <= 1e-12 * n:
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def _scaled(values: Sequence[float]) -> list[float]:
    """Centred and scaled to unit spread, so a resample's sums do not cancel (r is unchanged)."""
    n = len(values)
    mean = math.fsum(values) / n
    spread = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / n) or 1.0
    return [(v - mean) / spread for v in values]


def _percentile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, interpolated between neighbours."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _seed(pairs: Sequence[tuple[float, float]], resamples: int) -> int:
    """A seed from the data itself (not a global): the same pairs give the same interval."""
    text = repr((resamples, sorted(pairs))).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


def bootstrap(
    pairs: Sequence[tuple[float, float]], *, resamples: int = RESAMPLES
) -> tuple[Interval | None, Interval | None]:
    """The percentile-bootstrap 95% intervals of Pearson's r and of Spearman's ρ of the pairs.

    Each resample draws n pairs with replacement and gives both coefficients (the same resamples
    for both). A coefficient's interval is None when more than ``MAX_DEGENERATE`` of the
    resamples have none (one side constant): the values hardly vary.
    """
    data = sorted(pairs)  # the order of the units does not change the draws
    n = len(data)
    if n < DEFINED_PAIRS or resamples < 1:
        return None, None
    rng = random.Random(_seed(data, resamples))
    xs = _scaled([x for x, _y in data])
    ys = _scaled([y for _x, y in data])
    rank_x = _Ranker(xs)
    rank_y = _Ranker(ys)
    draws = range(n)
    rs: list[float] = []
    rhos: list[float] = []
    for _ in range(resamples):
        counts = [0] * n
        for index in rng.choices(draws, k=n):
            counts[index] += 1
        r = _weighted_r(counts, n, xs, ys)
        if r is not None:
            rs.append(r)
        rho = _weighted_r(counts, n, rank_x.ranks(counts), rank_y.ranks(counts))
        if rho is not None:
            rhos.append(rho)
    tail = _tail(n)
    return _interval(rs, resamples, tail), _interval(rhos, resamples, tail)


def _t_quantile(p: float, df: int) -> float:
    """Student's t quantile (Cornish–Fisher expansion about the normal; close for df ≥ 5)."""
    z = NormalDist().inv_cdf(p)
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )


def _tail(n: int) -> float:
    """The share cut from each end of the resamples: the expanded percentile interval
    (Hesterberg 2015), a little wider than the plain 2.5%/97.5% for few pairs, whose plain
    percentile interval is too narrow (it calls a relation clear too often)."""
    half = (1 - CONFIDENCE) / 2
    if n < 8:
        return half
    widened = math.sqrt(n / (n - 3)) * _t_quantile(1 - half, n - 3)
    return NormalDist().cdf(-widened)


def _interval(values: list[float], resamples: int, tail: float) -> Interval | None:
    if len(values) < (1 - MAX_DEGENERATE) * resamples:
        return None
    values.sort()
    return Interval(round(_percentile(values, tail), 4), round(_percentile(values, 1 - tail), 4))


# -- the correlation a page shows ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Correlation:
    """The correlation of n pairs: r (Pearson) and rho (Spearman), each with its 95% interval;
    the headline is rho for an ordinal measure and r otherwise. With fewer than ``min_pairs``
    pairs there is no coefficient (``too_few``)."""

    n: int
    r: float | None
    rho: float | None
    r_interval: Interval | None = None
    rho_interval: Interval | None = None
    ordinal: bool = False
    min_pairs: int = MIN_PAIRS

    @property
    def too_few(self) -> bool:
        return self.n < self.min_pairs

    @property
    def headline_symbol(self) -> str:
        """ "ρ" (Spearman's, for an ordinal measure) or "r" (Pearson's)."""
        return "ρ" if self.ordinal else "r"

    @property
    def other_symbol(self) -> str:
        return "r" if self.ordinal else "ρ"

    @property
    def headline(self) -> float | None:
        return self.rho if self.ordinal else self.r

    @property
    def headline_interval(self) -> Interval | None:
        return self.rho_interval if self.ordinal else self.r_interval

    @property
    def other(self) -> float | None:
        return self.r if self.ordinal else self.rho

    @property
    def other_interval(self) -> Interval | None:
        return self.r_interval if self.ordinal else self.rho_interval

    @property
    def strength(self) -> str | None:
        """The headline's strength in a word of ``STRENGTHS``."""
        return strength(self.headline)

    @property
    def direction(self) -> str | None:
        """ "positive", "negative", or None when there is no headline or it is 0."""
        if self.headline is None or self.headline == 0:
            return None
        return "positive" if self.headline > 0 else "negative"

    @property
    def verdict(self) -> str | None:
        """ "clear" when the headline's 95% interval leaves out 0, "unclear" when it holds 0 (or
        there is no interval); None when there is no coefficient."""
        if self.headline is None:
            return None
        interval = self.headline_interval
        return "clear" if interval is not None and interval.excludes_zero else "unclear"


def correlate(
    pairs: Iterable[tuple[float | None, float | None]],
    *,
    ordinal: bool = False,
    min_pairs: int = MIN_PAIRS,
    resamples: int = RESAMPLES,
) -> Correlation:
    """The correlation of the pairs whose two values are both known numbers, with bootstrap
    intervals; no coefficient below ``min_pairs`` pairs (never below ``DEFINED_PAIRS``)."""
    usable = tuple(sorted(_finite(pairs)))
    return _correlate(usable, ordinal, max(min_pairs, DEFINED_PAIRS), resamples)


@lru_cache(maxsize=1024)
def _correlate(
    usable: tuple[tuple[float, float], ...], ordinal: bool, min_pairs: int, resamples: int
) -> Correlation:
    # Cached: a page shows the same pairs again on every load (the result is immutable).
    n = len(usable)
    empty = Correlation(n=n, r=None, rho=None, ordinal=ordinal, min_pairs=min_pairs)
    if n < min_pairs:
        return empty
    xs = [x for x, _y in usable]
    ys = [y for _x, y in usable]
    r = pearson(xs, ys)
    if r is None:
        return empty
    rho = spearman(xs, ys)
    r_interval, rho_interval = bootstrap(usable, resamples=resamples)
    return Correlation(
        n=n,
        r=round(r, 4),
        rho=None if rho is None else round(rho, 4),
        r_interval=r_interval,
        rho_interval=rho_interval if rho is not None else None,
        ordinal=ordinal,
        min_pairs=min_pairs,
    )


# -- pairs over years -----------------------------------------------------------------------------


def lag_pairs(
    earlier: Mapping[Hashable, float | None], later: Mapping[Hashable, float | None]
) -> list[tuple[float | None, float | None]]:
    """(party building in year t, business in year t+1) of the units known in both years: the
    keys are units, ``earlier`` their party-building scores, ``later`` their business values."""
    return [(earlier[key], later[key]) for key in earlier.keys() & later.keys()]


def _difference(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def change_pairs(
    x_before: Mapping[Hashable, float | None],
    x_after: Mapping[Hashable, float | None],
    y_before: Mapping[Hashable, float | None],
    y_after: Mapping[Hashable, float | None],
) -> list[tuple[float | None, float | None]]:
    """(change in party building, change in business) from one year to the next, of the units
    known in both years on both sides."""
    keys = x_before.keys() & x_after.keys() & y_before.keys() & y_after.keys()
    return [
        (
            _difference(x_before[key], x_after[key]),
            _difference(y_before[key], y_after[key]),
        )
        for key in keys
    ]


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
