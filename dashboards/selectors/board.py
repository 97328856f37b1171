"""Reads behind the committee dashboard: one organization in one period.

Everything comes from stored rows — the roll-ups (`Rollup`) for the organization, its direct
children, its peers and earlier periods, and the subject scores (`SubjectScore`) of its subtree —
so a page costs the same fixed number of queries with ten organizations as with ten thousand
(tests/dashboards/test_queries.py pins it). The organization itself was read through the scope;
its subtree lies in the scope by construction (grants cover whole subtrees), and the scoped
managers are applied again to every list of rows anyway. Peer figures are aggregates over the
peers (same root, kind and depth), whatever the reader's scope: a branch secretary sees their
rank and the peer average, never a peer's own row.

What aggregates over many rows is the same for every reader of the organization and cached
under the period's scores version: the subtree's grades and indicator averages per organization
(`aggregates`), the figures of a level of the tree, from which each of its organizations takes
its peers' averages (`cached_level_totals`). After every roll-up, the levels and the top
dashboards are computed ahead of the readers (`dashboards.warming`).

The "submitted" switch adds provisional scores, computed by the pure engine, for the submitted
(not yet approved) own submissions of the organization and of its direct children only: the
submissions in view, read in two queries (`submitted`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from assessment.choices import PeriodStatus, SubjectUnit
from assessment.models import Period, Rollup
from assessment.scoring import Framework as EngineFramework
from assessment.selectors import engine_framework
from assessment.selectors.browse import engine_language
from core import versions
from organizations.choices import Action
from organizations.models import Organization, bilingual_name
from organizations.scope import scope_prefixes

from . import subtree
from .submitted import Provisional, provisional_scores

TOTAL = ""
TREND_PERIODS = 8
# An average over one peer would be that peer's score: averages need at least two.
MIN_PEERS = 2
# The axes the heatmap and the radar show: the five constructions and the nine guarantees.
HEAT_AXES = ("construction", "guarantee")

__all__ = [
    "Aggregates",
    "Dashboard",
    "DimensionInfo",
    "aggregates",
    "cached_level_totals",
    "dashboard",
    "default_period",
    "home_organization",
    "pick_period",
    "rolled_up_periods",
]


@dataclass(frozen=True)
class DimensionInfo:
    """A dimension shown as a heatmap column and a radar axis."""

    code: str
    name: str
    axis: str
    axis_name: str


@dataclass
class Cell:
    """One stored roll-up figure, with its row id for the explanation panel."""

    pk: int
    score: float | None


@dataclass
class ChildRow:
    """A direct child of the organization: its total roll-up, dimensions and trend."""

    id: int
    code: str
    name: str
    total: Rollup | None = None
    cells: dict[str, Cell] = field(default_factory=dict)
    trend: list[float | None] = field(default_factory=list)
    provisional: Provisional | None = None
    reach: float | None = None  # the highest total a unit can reach (full marks and bonus)

    @property
    def score(self) -> float | None:
        return self.total.score if self.total else None

    @property
    def sparkline(self) -> str:
        """The trend as SVG polyline points in a 100 × 24 box (drawn server-side: one small
        line per row, where a chart instance each would cost thousands)."""
        return sparkline_points(self.trend, reach=self.reach)


SPARK_WIDTH, SPARK_HEIGHT, SPARK_MIN_SPAN = 100, 24, 10.0


def sparkline_points(values: list[float | None], *, reach: float | None = None) -> str:
    """Polyline points for the values that exist, on a span of at least 10 points so that a
    steady unit draws a flat line rather than magnified noise.

    The span stays within 0 and `reach` (the highest total a unit can reach, full marks plus
    bonus): a unit near the top is drawn near the top edge, never on a scale above what exists.
    """
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(v for _i, v in known), max(v for _i, v in known)
    if high - low < SPARK_MIN_SPAN:
        middle = (high + low) / 2
        low, high = middle - SPARK_MIN_SPAN / 2, middle + SPARK_MIN_SPAN / 2
        if reach is not None and high > reach >= max(v for _i, v in known):
            low, high = low - (high - reach), reach
        if low < 0 <= min(v for _i, v in known):
            low, high = 0.0, high - low
    step = SPARK_WIDTH / max(len(values) - 1, 1)
    scale = (SPARK_HEIGHT - 4) / (high - low)
    return " ".join(f"{i * step:.1f},{SPARK_HEIGHT - 2 - (v - low) * scale:.1f}" for i, v in known)


@dataclass
class PeerStats:
    """The peers' average and how many have a score (the organization itself left out); no
    average under `MIN_PEERS`."""

    average: float | None = None
    count: int = 0


@dataclass
class TrendPoint:
    period: Period
    score: float | None
    peer_average: float | None


@dataclass
class Dashboard:
    """Everything the dashboard page shows for one organization and one period."""

    organization: Organization
    period: Period
    spec: EngineFramework
    lang: str
    dimensions: list[DimensionInfo]
    own: dict[str, Rollup]
    peers: dict[str, PeerStats]
    timeliness: subtree.Timeliness
    children: list[ChildRow]
    trend: list[TrendPoint]
    grades: subtree.GradeDistribution
    weak: list[subtree.WeakIndicator]
    submitted: bool = False
    provisional_own: Provisional | None = None

    @property
    def total(self) -> Rollup | None:
        return self.own.get(TOTAL)

    @property
    def peer_total(self) -> PeerStats:
        return self.peers.get(TOTAL, PeerStats())

    @property
    def peer_count(self) -> int:
        """How many are ranked among the peers, the organization included when it has a score."""
        total = self.total
        return self.peer_total.count + int(total is not None and total.score is not None)

    @property
    def shown_dimensions(self) -> list[DimensionInfo]:
        """The heatmap's columns: the dimensions that have a score for anyone on the page."""
        present = set(self.own)
        for child in self.children:
            present.update(child.cells)
        return [d for d in self.dimensions if d.code in present]

    @property
    def radar_dimensions(self) -> list[DimensionInfo]:
        return [
            d for d in self.dimensions if d.code in self.own and self.own[d.code].score is not None
        ]

    @property
    def heat_rows(self) -> list[dict]:
        """Each child with its cells in the order of `shown_dimensions` (None where missing)."""
        codes = [d.code for d in self.shown_dimensions]
        return [
            {"child": child, "cells": [child.cells.get(code) for code in codes]}
            for child in self.children
        ]

    @property
    def radar_rows(self) -> list[dict]:
        return [
            {
                "dimension": d,
                "rollup": self.own[d.code],
                "peer_average": self.peers[d.code].average if d.code in self.peers else None,
            }
            for d in self.radar_dimensions
        ]

    @property
    def grade_name(self) -> str:
        total = self.total
        if total is None or not total.grade:
            return ""
        try:
            return self.spec.grade_band(total.grade).name.get(self.lang)
        except KeyError:
            return ""

    @property
    def previous_period(self) -> Period | None:
        """The period the change is measured from (the one before in the trend)."""
        if len(self.trend) >= 2 and self.trend[-1].period.pk == self.period.pk:
            return self.trend[-2].period
        return None

    @property
    def max_points(self) -> float:
        return float(self.spec.total_points)

    @property
    def reach(self) -> float:
        """The highest total a unit can reach: full marks and every bonus point; the charts of
        totals are scaled to it, so a score above full marks stays on its axis."""
        return float(self.spec.total_points) + float(self.spec.bonus_reach())

    @property
    def provisional_count(self) -> int:
        own = int(self.provisional_own is not None)
        return own + sum(1 for child in self.children if child.provisional is not None)


def home_organization(user) -> Organization | None:
    """The highest organization of the user's scope (a secretary's own branch), or None."""
    prefixes = scope_prefixes(user, Action.VIEW)
    queryset = Organization.objects.restrict(user).order_by("depth", "path")
    if prefixes is not None:
        queryset = queryset.filter(path__in=prefixes)
    return queryset.first()


def rolled_up_periods(organization: Organization) -> list[Period]:
    """Periods with roll-ups for the organization (open or closed), newest first: one query."""
    rows = Rollup.objects.filter(period=OuterRef("pk"), organization=organization, dimension=TOTAL)
    return list(
        Period.objects.filter(Exists(rows))
        .select_related("framework")
        .order_by("-start", "kind", "pk")
    )


FINAL = (PeriodStatus.CLOSED, PeriodStatus.LOCKED)


def pick_period(periods: list[Period], period_id: int | None) -> Period | None:
    """The period asked for when it has roll-ups, else the default one (`default_period`).
    `periods` is newest first, as `rolled_up_periods` returns them."""
    chosen = next((p for p in periods if p.pk == period_id), None)
    return chosen or _default_of(periods)


def default_period(organization: Organization) -> Period | None:
    """The period the dashboard and the effectiveness page open on, for one organization.

    The latest closed period with scores, whose results are final (an open period counts its
    missing submissions as zero until they come in, which reads as a collapse early in the year
    and gives the effectiveness page one or two units); else the latest period with scores.
    """
    return _default_of(rolled_up_periods(organization))


def _default_of(periods: list[Period]) -> Period | None:
    final = next((p for p in periods if p.status in FINAL), None)
    return final or (periods[0] if periods else None)


def heat_dimensions(spec: EngineFramework, lang: str) -> list[DimensionInfo]:
    """The top-level dimensions of the five constructions and the nine guarantees (of every
    axis when a framework has neither)."""
    axes = [axis for axis in spec.axes if axis.code in HEAT_AXES] or list(spec.axes)
    return [
        DimensionInfo(dim.code, dim.name.get(lang), axis.code, axis.name.get(lang))
        for axis in axes
        for dim in axis.dimensions
    ]


def _peer_filter(organization: Organization) -> Q:
    root = organization.path.split("/")[1]
    return Q(
        organization__kind_id=organization.kind_id,
        organization__depth=organization.depth,
        organization__path__startswith=f"/{root}/",
    )


# A level's figures per dimension: (roll-up rows, rows with a score, sum of the scores).
LevelTotals = dict[str, tuple[int, int, float]]


def level_totals(period: Period, organization: Organization) -> LevelTotals:
    """Each dimension's figures over the organization's level (its peers and itself): one
    query."""
    rows = (
        Rollup.objects.filter(_peer_filter(organization), period=period)
        .order_by()
        .values_list("dimension")
        .annotate(rows=Count("pk"), scored=Count("score"), total=Sum("score"))
    )
    return {dimension: (n, scored, total or 0.0) for dimension, n, scored, total in rows}


def tree_level_totals(period: Period, root: Organization) -> dict[str, LevelTotals]:
    """The totals of every level of a root's tree, by their cache keys: one query (the
    warm-up's)."""
    rows = (
        Rollup.objects.filter(period=period, organization__path__startswith=root.path)
        .order_by()
        .values_list("organization__kind_id", "organization__depth", "dimension")
        .annotate(rows=Count("pk"), scored=Count("score"), total=Sum("score"))
    )
    levels: dict[str, LevelTotals] = defaultdict(dict)
    for kind_id, depth, dimension, n, scored, total in rows:
        key = _level_key(period.pk, str(root.pk), kind_id, depth)
        levels[key][dimension] = (n, scored, total or 0.0)
    return dict(levels)


def peers_from(totals: LevelTotals, own: dict[str, Rollup]) -> dict[str, PeerStats]:
    """Each dimension's average over the peers: the level's figures with the organization's
    own rows taken out."""
    peers = {}
    for dimension, (rows, scored, total) in totals.items():
        mine = own.get(dimension)
        if mine is not None:
            rows -= 1
            if mine.score is not None:
                scored, total = scored - 1, total - mine.score
        if rows > 0:
            peers[dimension] = PeerStats(total / scored if scored >= MIN_PEERS else None, scored)
    return peers


def trend_periods(periods: list[Period], period: Period) -> list[Period]:
    """The period and those before it of the same kind and framework code, oldest first."""
    same = [
        p
        for p in periods
        if p.kind == period.kind
        and p.framework.code == period.framework.code
        and p.start <= period.start
    ]
    return sorted(same, key=lambda p: p.start)[-TREND_PERIODS:]


def _trend(
    user, organization: Organization, periods: list[Period]
) -> tuple[dict[int, dict[int, float | None]], dict[int, float | None]]:
    """Total scores over the periods of the organization and its children (one query), and the
    peers' average per period (one query)."""
    ids = [p.pk for p in periods]
    scores: dict[int, dict[int, float | None]] = defaultdict(dict)
    # The ids as a subquery rather than an OR over a join: the roll-up key's index then serves.
    family = Organization.objects.filter(Q(pk=organization.pk) | Q(parent=organization))
    rows = (
        Rollup.objects.restrict(user)
        .filter(period_id__in=ids, dimension=TOTAL, organization_id__in=family.values("pk"))
        .order_by()
        .values_list("organization_id", "period_id", "score")
    )
    for org, period_id, score in rows:
        scores[org][period_id] = score
    peers = (
        Rollup.objects.filter(_peer_filter(organization), period_id__in=ids, dimension=TOTAL)
        .exclude(organization=organization)
        .order_by()
        .values("period_id")
        .annotate(average=Avg("score"), count=Count("score"))
        .values_list("period_id", "average", "count")
    )
    averages = {pk: avg if n >= MIN_PEERS else None for pk, avg, n in peers}
    return scores, averages


# A child's total row carries these (the dimension cells only the score).
TOTAL_FIELDS = (
    "score",
    "grade",
    "stars",
    "rank_siblings",
    "rank_peers",
    "completeness",
    "expected",
    "approved",
    "change",
)
CHILD_FIELDS = (
    "pk",
    "organization_id",
    "organization__code",
    "organization__name",
    "organization__name_en",
    "dimension",
    *TOTAL_FIELDS,
    "explanation__bonus",
)


def children_rows(
    user, period: Period, organization: Organization, dimensions: list[str], lang: str
) -> list[ChildRow]:
    """The direct children's total and dimension roll-ups, best total first: one query."""
    rows = (
        Rollup.objects.restrict(user)
        .filter(period=period, organization__parent=organization)
        .filter(dimension__in=[TOTAL, *dimensions])
        .order_by()
        .values_list(*CHILD_FIELDS)
    )
    children: dict[int, ChildRow] = {}
    for row in rows:
        values = dict(zip(CHILD_FIELDS, row, strict=True))
        org = values["organization_id"]
        child = children.get(org)
        if child is None:
            name = bilingual_name(
                values["organization__name"], values["organization__name_en"], lang == "en"
            )
            child = children[org] = ChildRow(org, values["organization__code"], name)
        if values["dimension"] == TOTAL:
            child.total = Rollup(
                pk=values["pk"],
                period=period,
                organization_id=org,
                dimension=TOTAL,
                explanation={"bonus": values["explanation__bonus"]},
                **{k: values[k] for k in TOTAL_FIELDS},
            )
        else:
            child.cells[values["dimension"]] = Cell(values["pk"], values["score"])
    return sorted(
        children.values(),
        key=lambda c: (c.score is None, -(c.score or 0), c.code),
    )


def dashboard(
    user,
    organization: Organization,
    period: Period,
    periods: list[Period],
    *,
    submitted: bool = False,
) -> Dashboard:
    """The whole dashboard: a fixed number of queries whatever the number of children."""
    lang = engine_language()
    spec = engine_framework(period.framework)
    dimensions = heat_dimensions(spec, lang)
    codes = [d.code for d in dimensions]
    own = {
        row.dimension: row
        for row in Rollup.objects.filter(period=period, organization=organization).order_by()
    }
    children = children_rows(user, period, organization, codes, lang)
    trend = trend_periods(periods, period)
    scores, averages = _trend(user, organization, trend)
    for child in children:
        by_period = scores.get(child.id, {})
        child.trend = [by_period.get(p.pk) for p in trend]
    own_trend = scores.get(organization.pk, {})
    reach = float(spec.total_points) + float(spec.bonus_reach())
    for child in children:
        child.reach = reach
    cached = aggregates(period, organization)
    board = Dashboard(
        organization=organization,
        period=period,
        spec=spec,
        lang=lang,
        dimensions=dimensions,
        own=own,
        peers=peers_from(cached_level_totals(period, organization), own),
        timeliness=subtree.timeliness(user, period, organization, now=timezone.now()),
        children=children,
        trend=[TrendPoint(p, own_trend.get(p.pk), averages.get(p.pk)) for p in trend],
        grades=subtree.grade_distribution(spec, lang, cached.grades),
        weak=subtree.weakest(spec, lang, cached.weak),
        submitted=submitted,
    )
    if submitted:
        provisional = provisional_scores(user, period, organization, spec)
        board.provisional_own = provisional.get(organization.pk)
        for child in children:
            child.provisional = provisional.get(child.id)
        subtree.add_provisional(board.weak, provisional.values())
    return board


@dataclass
class Aggregates:
    """What one organization's dashboard aggregates over its subtree: the grade counts and the
    indicator averages (`subtree.grade_counts`, `subtree.weak_rows`).

    They are the same for every reader who may open the organization (its whole subtree is in
    the reader's scope) and in every language (codes, not names), so one cached copy per period
    and organization serves everyone: kept under the period's scores version until scores are
    written, and computed ahead of the readers after every roll-up (`dashboards.warming`).
    """

    grades: subtree.GradeCounts
    weak: list[subtree.WeakRow]


def compute_aggregates(period: Period, organization: Organization) -> Aggregates:
    """The aggregates from the stored rows: two queries."""
    return Aggregates(
        grades=subtree.grade_counts(period, organization),
        weak=subtree.weak_rows(period, organization),
    )


def aggregates(period: Period, organization: Organization, *, ahead: bool = False) -> Aggregates:
    """The organization's aggregates for the period, from the cache when the period's scores
    have not changed since they were computed (by a reader or by the warm-up, `ahead` of the
    readers: under the staged version)."""
    return versions.remember(
        f"dashboard:{period.pk}:{organization.pk}",
        [scores_version(period.pk)],
        lambda: compute_aggregates(period, organization),
        ahead=ahead,
    )


def _level_key(period_id: int, root: str, kind_id: int | None, depth: int) -> str:
    return f"peers:{period_id}:{root}:{kind_id}:{depth}"


def cached_level_totals(period: Period, organization: Organization) -> LevelTotals:
    """The totals of the organization's level (thousands of branches for a branch), cached like
    the aggregates: one copy per level serves every organization of it, each taking its own
    rows out (`peers_from`)."""
    root = organization.path.split("/")[1]
    return versions.remember(
        _level_key(period.pk, root, organization.kind_id, organization.depth),
        [scores_version(period.pk)],
        lambda: level_totals(period, organization),
    )


def warm_level_totals(period: Period, root: Organization) -> int:
    """Cache the totals of every level of a root's tree in one query, under the staged version
    (the warm-up's); returns how many levels."""
    return versions.remember_many(
        [scores_version(period.pk)], lambda: tree_level_totals(period, root), ahead=True
    )


def scores_version(period_id: int) -> str:
    """The data version of a period's stored scores (core.versions)."""
    return f"scores:{period_id}"


def own_submission_id(period: Period, organization: Organization) -> int | None:
    """The organization's own submission in the period (to drill down to its values)."""
    return (
        organization.submissions.filter(period=period, subject_unit=SubjectUnit.ORGANIZATION)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
