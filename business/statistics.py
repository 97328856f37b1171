"""Correlation of party building with business results: pure arithmetic, no Django.

``correlate(pairs)`` gives Pearson's r and Spearman's ρ of (party-building score, business value)
pairs, each with a bootstrap 95% interval, n, the headline coefficient (ρ for an ordinal measure
such as a grade, r for a continuous one), its strength in a word and a verdict: "clear" when the
headline's interval leaves out 0, "unclear" otherwise. Below ``MIN_PAIRS`` pairs (10 unless the
caller says otherwise) there is no coefficient at all. ``lag_pairs`` and ``change_pairs`` build
the pairs of year t against year t+1 and of change against change. ``fit`` gives the
least-squares line of a scatter with the 95% confidence band of its mean. The words a page
shows are the caller's (they are translated); here a strength is one of ``STRENGTHS`` and a
verdict one of ``VERDICTS``.

The interval is a percentile bootstrap over pairs: ``RESAMPLES`` resamples of n pairs drawn with
replacement, each giving r and ρ (ρ ranked again within the resample, ties averaged); the 2.5th
and 97.5th percentiles (widened for few pairs) bound the interval. The resamples are computed
together with numpy, as a matrix of how many times each pair was drawn, in blocks of rows when
there are many pairs; the random numbers come from a numpy ``Generator`` seeded from the pairs
themselves, so the same data gives the same interval on every page load, whatever the order of
its units. ``pearson``, ``spearman`` and ``ranks`` stay in plain Python: they are the exact
reference the vectorised resamples are tested against.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist
from typing import NamedTuple

import numpy as np

__all__ = [
    "CONFIDENCE",
    "DEFINED_PAIRS",
    "MIN_PAIRS",
    "RESAMPLES",
    "STRENGTHS",
    "VERDICTS",
    "Correlation",
    "Fit",
    "Interval",
    "bootstrap",
    "change_pairs",
    "correlate",
    "fit",
    "lag_pairs",
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
# Resamples × pairs computed at a time: a block of 500,000 cells (10,000 pairs: 50 resamples)
# keeps the bootstrap near 22 MB at any n, and was as fast as blocks of 2 or 4 million.
CHUNK_CELLS = 500_000
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


def _count_chunks(
    n: int, resamples: int, seed: int, cells: int = CHUNK_CELLS
) -> Iterator[np.ndarray]:
    """The resamples as how many times each of the n pairs was drawn: an integer matrix of
    ``resamples`` rows and n columns, each row summing to n, given a block of rows at a time so
    that no block holds more than about ``cells`` numbers. The blocks draw in turn from one
    generator seeded with ``seed``, so the resamples are the same whatever the block size."""
    rng = np.random.default_rng(seed)
    rows = max(1, cells // n)
    for first in range(0, resamples, rows):
        block = min(rows, resamples - first)
        drawn = rng.integers(0, n, size=(block, n), dtype=np.int32)  # n·block < 2**31
        # pair i drawn in row k lands in cell k·n + i, so one bincount counts every row at once
        drawn += np.arange(0, block * n, n, dtype=np.int32)[:, np.newaxis]
        yield np.bincount(drawn.ravel(), minlength=block * n).reshape(block, n)


class _Ranker:
    """Ranks of one side of the data within many resamples at once, given as counts per pair:
    the values are sorted and grouped (equal values form a group) once; in each resample a
    group drawn c times after p draws of smaller values spans ranks p+1 … p+c and its members
    share the mean rank p + c − (c−1)/2 (ties, in the data or from drawing a pair twice). The
    counts of a group are a sum over its members (``reduceat``) and p + c a cumulative sum over
    the groups in order, for every resample at once."""

    def __init__(self, values: np.ndarray):
        order = np.argsort(values, kind="stable")
        ordered = values[order]
        starts_group = np.empty(len(values), dtype=bool)
        starts_group[:1] = True
        starts_group[1:] = ordered[1:] != ordered[:-1]
        self.starts = np.flatnonzero(starts_group)
        self.ties = len(self.starts) < len(values)
        group_of = np.empty(len(values), dtype=np.intp)
        group_of[order] = np.cumsum(starts_group) - 1
        # The pairs come sorted by x, so x's order is the identity: skip those column shuffles.
        in_order = bool(np.all(order == np.arange(len(values))))
        self.order = None if in_order else order
        self.group_of = None if in_order and not self.ties else group_of

    def ranks(self, counts: np.ndarray) -> np.ndarray:
        """Twice each pair's rank less the mean rank (n+1)/2, in every resample (a row of
        ``counts``): 2(p + c) − c − n, a whole number, so integer counts give exact ranks.
        Doubling leaves r unchanged; centring keeps the sums of a large resample small."""
        # np.take: a column shuffle several times faster than counts[:, order]
        weights = counts if self.order is None else np.take(counts, self.order, axis=1)
        if self.ties:
            weights = np.add.reduceat(weights, self.starts, axis=1)
        by_group = np.cumsum(weights, axis=1)
        by_group *= 2
        by_group -= weights
        by_group -= counts.shape[1]
        return by_group if self.group_of is None else np.take(by_group, self.group_of, axis=1)


def _r_of_sums(
    n: int, sx: np.ndarray, sy: np.ndarray, sxx: np.ndarray, syy: np.ndarray, sxy: np.ndarray
) -> np.ndarray:
    """Pearson's r of each resample from its weighted sums; NaN where one side is constant."""
    sxx = sxx - sx * sx / n
    syy = syy - sy * sy / n
    sxy = sxy - sx * sy / n
    defined = (sxx > 1e-12 * n) & (syy > 1e-12 * n)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(defined, sxy / np.sqrt(np.where(defined, sxx * syy, 1.0)), np.nan)
    return np.clip(r, -1.0, 1.0)


def _resample_coefficients(
    counts: np.ndarray, xs: np.ndarray, ys: np.ndarray, rank_x: _Ranker, rank_y: _Ranker
) -> tuple[np.ndarray, np.ndarray]:
    """r and ρ of each resample (rows of ``counts``), NaN where the resample has none."""
    n = counts.shape[1]
    # einsum, not a BLAS product: BLAS's threads spin after each call and, on a busy server,
    # took the cores from the rest of this loop (twice as slow in bench/effectiveness.py)
    sums = np.einsum("ij,kj->ki", counts, np.stack((xs, ys, xs * xs, ys * ys, xs * ys)))
    r = _r_of_sums(n, *sums)
    # ρ's sums in integers, exact: a doubled rank is at most 2n, a sum at most 4n³ (< 2**63)
    rx = rank_x.ranks(counts)
    ry = rank_y.ranks(counts)
    weighted = np.multiply(counts, rx)
    sx = weighted.sum(axis=1)
    sxx = np.einsum("ij,ij->i", weighted, rx)
    sxy = np.einsum("ij,ij->i", weighted, ry)
    np.multiply(counts, ry, out=weighted)  # the same buffer again: one array fewer per block
    sy = weighted.sum(axis=1)
    syy = np.einsum("ij,ij->i", weighted, ry)
    rank_sums = (sx, sy, sxx, syy, sxy)
    return r, _r_of_sums(n, *(s.astype(np.float64) for s in rank_sums))


def _scaled(values: Sequence[float]) -> np.ndarray:
    """Centred and scaled to unit spread, so a resample's sums do not cancel (r is unchanged)."""
    array = np.asarray(values, dtype=np.float64)
    centred = array - math.fsum(values) / len(array)
    spread = math.sqrt(math.fsum(centred * centred) / len(array)) or 1.0
    return centred / spread


def _percentile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile of sorted values, interpolated between neighbours."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


def _seed(pairs: Sequence[tuple[float, float]], resamples: int) -> int:
    """A seed from the data itself (not a global): the same pairs give the same interval."""
    text = repr((resamples, sorted(pairs))).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


def _bounds(
    data: Sequence[tuple[float, float]], resamples: int, cells: int = CHUNK_CELLS
) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
    """``bootstrap``'s two intervals before rounding, of pairs already sorted."""
    n = len(data)
    xs = _scaled([x for x, _y in data])
    ys = _scaled([y for _x, y in data])
    rank_x = _Ranker(xs)
    rank_y = _Ranker(ys)
    rs: list[np.ndarray] = []
    rhos: list[np.ndarray] = []
    for counts in _count_chunks(n, resamples, _seed(data, resamples), cells):
        r, rho = _resample_coefficients(counts, xs, ys, rank_x, rank_y)
        rs.append(r)
        rhos.append(rho)
    tail = _tail(n)
    return (
        _percentiles(np.concatenate(rs), resamples, tail),
        _percentiles(np.concatenate(rhos), resamples, tail),
    )


def bootstrap(
    pairs: Sequence[tuple[float, float]], *, resamples: int = RESAMPLES
) -> tuple[Interval | None, Interval | None]:
    """The percentile-bootstrap 95% intervals of Pearson's r and of Spearman's ρ of the pairs.

    Each resample draws n pairs with replacement and gives both coefficients (the same resamples
    for both). A coefficient's interval is None when more than ``MAX_DEGENERATE`` of the
    resamples have none (one side constant): the values hardly vary.
    """
    data = sorted(pairs)  # the order of the units does not change the draws
    if len(data) < DEFINED_PAIRS or resamples < 1:
        return None, None
    r_bounds, rho_bounds = _bounds(data, resamples)
    return _rounded(r_bounds), _rounded(rho_bounds)


def _rounded(bounds: tuple[float, float] | None) -> Interval | None:
    return None if bounds is None else Interval(round(bounds[0], 4), round(bounds[1], 4))


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


def _percentiles(values: np.ndarray, resamples: int, tail: float) -> tuple[float, float] | None:
    """The tail and 1 − tail percentiles of the resamples' coefficients (NaN where a resample
    has none); None when more than ``MAX_DEGENERATE`` of the resamples have none."""
    defined = np.sort(values[~np.isnan(values)])
    if len(defined) < (1 - MAX_DEGENERATE) * resamples:
        return None
    return _percentile(defined, tail), _percentile(defined, 1 - tail)


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


# -- the fitted line ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Fit:
    """The least-squares line y = slope·x + intercept of n pairs and its 95% confidence band for
    the mean of y: ``band`` holds (x, fitted y, low, high) at evenly spaced x from the smallest x
    to the largest, rounded to 4 places (the slope and intercept are not: they carry the units
    of the data, and a small slope would round to 0)."""

    slope: float
    intercept: float
    n: int
    band: tuple[tuple[float, float, float, float], ...]


def fit(pairs: Iterable[tuple[float | None, float | None]], *, points: int = 21) -> Fit | None:
    """The least-squares line of the pairs whose two values are both known numbers, with the
    band ŷ ± t₀.₉₇₅,ₙ₋₂ · s · √(1/n + (x − x̄)²/Sxx) at ``points`` x (s the residuals' standard
    deviation on n − 2 degrees of freedom). None below ``DEFINED_PAIRS`` pairs (two points leave
    no residual to measure the spread by) or when x does not vary."""
    usable = sorted(_finite(pairs))
    n = len(usable)
    if n < DEFINED_PAIRS:
        return None
    xs = [x for x, _y in usable]
    ys = [y for _x, y in usable]
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    if _constant(sxx, mean_x, n):
        return None
    slope = math.fsum((x - mean_x) * (y - mean_y) for x, y in usable) / sxx
    intercept = mean_y - slope * mean_x
    residuals = math.fsum((y - intercept - slope * x) ** 2 for x, y in usable)
    spread = math.sqrt(residuals / (n - 2))
    t = _t_quantile(1 - (1 - CONFIDENCE) / 2, n - 2)
    low_x, high_x = xs[0], xs[-1]
    band = []
    for step in range(points):
        x = low_x + (high_x - low_x) * step / max(points - 1, 1)
        fitted = intercept + slope * x
        half = t * spread * math.sqrt(1 / n + (x - mean_x) ** 2 / sxx)
        band.append(
            (round(x, 4), round(fitted, 4), round(fitted - half, 4), round(fitted + half, 4))
        )
    return Fit(slope=slope, intercept=intercept, n=n, band=tuple(band))


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
