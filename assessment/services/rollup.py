"""Roll-ups in the database: reading their inputs, writing a whole period, updating one chain of
ancestors after an approval, and refreshing the ranks among peers.

The arithmetic is `assessment.scoring.rollup` (pure); this module only moves rows. A full
roll-up reads the whole tree once (a handful of queries whatever its size), computes every row as
arrays (`assessment.scoring.rollup_arrays`, which gives exactly the pure roll-up's rows) and
replaces the period's rows with one delete and one insert: on PostgreSQL a COPY fed whole columns
of text, a chunk of rows at a time, as the database stores the chunk before. An incremental update
reads the chain's own data and its children's stored rows, and rewrites the chain's rows only
(`rollup.roll_up_chain`). Callers hold the period's row lock (`lock_period`), so updates of one
period never interleave.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, models
from django.db.models import Avg, Count, Q
from django.db.models.functions import Cast
from django.utils import timezone

from core.bulk import copy_field, copy_text, insert_rows
from core.fastjson import dumps, loads
from organizations.choices import PersonKind, PersonStatus
from organizations.models import Organization, Person

from ..choices import SubjectUnit
from ..models import Framework, Period, Rollup, RollupSettings, SubjectScore, Submission
from ..scoring import Framework as EngineFramework
from ..scoring import rollup as pure_rollup
from ..scoring import rollup_arrays, score_subject
from ..scoring.values import rounded
from ..selectors import engine_framework

PARTY_MEMBERS = (PersonKind.MEMBER, PersonKind.PROBATIONARY)
ROLLUP_FIELDS = (
    "period",
    "organization",
    "dimension",
    "score",
    "own_score",
    "children_score",
    "members",
    "expected",
    "approved",
    "completeness",
    "flagged",
    "rank_siblings",
    "rank_peers",
    "change",
    "grade",
    "stars",
    "explanation",
    "computed_at",
    "party_building",
)
UPDATE_BATCH = 5000
COPY_ROWS = 20_000  # rows (and children named in them) of a full roll-up per chunk of COPY text
OWN_BATCH = 100  # subject scores read, then counted as the roll-up counts them, at a time


def lock_period(period_id: int, *, shared: bool = False) -> None:
    """Take the period's row lock until the transaction ends (SQLite serializes writers anyway).

    Exclusive (FOR UPDATE) for the roll-up and incremental updates; `shared` (FOR SHARE) for the
    chunks of a full recompute, which score disjoint ranges of submissions side by side but
    exclude, and are excluded by, everything that holds the lock exclusively.
    """
    if shared and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Period._meta.db_table)
            cursor.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE", [period_id])
        return
    list(
        Period.objects.select_for_update()
        .filter(pk=period_id)
        .order_by()
        .values_list("pk", flat=True)
    )


def settings_for(framework: Framework) -> pure_rollup.Settings:
    """The roll-up settings of the framework's code, or the defaults when none were saved."""
    row = RollupSettings.objects.filter(framework_code=framework.code).first()
    if row is None:
        return pure_rollup.Settings()
    return pure_rollup.Settings(
        own_weight=row.own_weight, children=row.children, missing=row.missing
    )


def bands_of(spec: EngineFramework) -> pure_rollup.Bands:
    return pure_rollup.Bands(
        grades=tuple((band.grade, band.min) for band in spec.grade_bands),
        stars=tuple((band.stars, band.min) for band in spec.star_bands),
    )


def previous_period(period: Period) -> Period | None:
    """The period of the same kind and framework code that started last before this one."""
    return (
        Period.objects.filter(
            framework__code=period.framework.code, kind=period.kind, start__lt=period.start
        )
        .order_by("-start")
        .first()
    )


def _previous_scores(
    period: Period, organizations: Sequence[int] | None = None
) -> dict[tuple[int, str], float | None]:
    before = previous_period(period)
    if before is None:
        return {}
    rows = Rollup.objects.filter(period=before).order_by()
    if organizations is not None:
        rows = rows.filter(organization_id__in=organizations)
    pairs = rows.values_list("organization_id", "dimension", "score")
    return {(org, dim): score for org, dim, score in pairs}


def _previous_columns(period: Period) -> rollup_arrays.Previous | None:
    """Every score of the previous period as columns (no dictionary of 300,000 keys)."""
    before = previous_period(period)
    if before is None:
        return None
    rows = list(
        Rollup.objects.filter(period=before)
        .order_by()
        .values_list("organization_id", "dimension", "score")
    )
    return rollup_arrays.Previous(*zip(*rows, strict=True)) if rows else None


def own_scores(
    total: float,
    dimensions: dict[str, list],
    total_points: float,
    bonus: float = 0.0,
    *,
    maximum: float | None = None,
    business: Sequence[str] = (),
) -> dict[str, float]:
    """A stored subject score as the roll-up counts it: the total, the bonus points within it,
    each dimension's share on the scale of the total, and its party building (the total
    without the `business` dimensions' points, over `maximum` without theirs)."""
    return _own_scores(
        total, dimensions, total_points, bonus, maximum=maximum, business=business, scaled=None
    )


def _own_scores(
    total: float,
    dimensions: dict[str, list],
    total_points: float,
    bonus: float,
    *,
    maximum: float | None,
    business: Sequence[str],
    scaled: Iterator[float] | None,
) -> dict[str, float]:
    """`own_scores`, the dimensions' scaled shares taken from `scaled` when given (in the order
    of the dimensions with a share)."""
    out = {pure_rollup.TOTAL: total, pure_rollup.BONUS: bonus}
    for code, entry in dimensions.items():
        share = entry[-1]
        if share is not None:
            out[code] = rounded(share * total_points) if scaled is None else next(scaled)
    points = sum(dimensions[code][0] or 0.0 for code in business if code in dimensions)
    business_max = sum(dimensions[code][1] or 0.0 for code in business if code in dimensions)
    party = pure_rollup.party_building(
        total, total_points if maximum is None else maximum, points, business_max
    )
    if party is not None:
        out[pure_rollup.PARTY] = party
    return out


def own_scores_of(
    scores: Sequence[tuple[float, dict[str, list], float, float | None]],
    total_points: float,
    business: Sequence[str] = (),
) -> list[dict[str, float]]:
    """`own_scores` of many stored subject scores, given as (total, dimensions, bonus, maximum):
    every share scaled to the total and rounded as one array (`round` one by one costs more than
    everything else of reading them)."""
    shares = [
        entry[-1]
        for _t, dimensions, *_r in scores
        for entry in dimensions.values()
        if entry[-1] is not None
    ]
    scaled = iter(rollup_arrays.round6(np.array(shares, dtype=float) * total_points).tolist())
    return [
        _own_scores(
            total,
            dimensions,
            total_points,
            bonus,
            maximum=maximum,
            business=business,
            scaled=scaled,
        )
        for total, dimensions, bonus, maximum in scores
    ]


class _ZeroScores:
    """What a missing submission of each subject kind counts as: the engine's score of nothing."""

    def __init__(self, spec: EngineFramework) -> None:
        self.spec = spec
        self.cache: dict[str, dict[str, float]] = {}

    def __call__(self, kind: str) -> dict[str, float]:
        if kind not in self.cache:
            try:
                empty = score_subject(self.spec, kind, {})
            except ValueError:  # a kind the framework does not know: only the total
                self.cache[kind] = {pure_rollup.TOTAL: 0.0, pure_rollup.BONUS: 0.0}
            else:
                zero = {pure_rollup.TOTAL: 0.0, pure_rollup.BONUS: 0.0, pure_rollup.PARTY: 0.0}
                zero.update((d.code, 0.0) for d in empty.dimensions if d.share is not None)
                self.cache[kind] = zero
        return self.cache[kind]


def _root_of(path: str) -> int:
    return int(path.split("/", 2)[1])


def _units(
    period: Period, spec: EngineFramework, orgs: Iterable[tuple], *, only: Sequence[int] | None
) -> list[pure_rollup.Unit]:
    """Units for the organizations given as (id, parent, depth, kind, path), with their people,
    own submission and own score read in two queries."""
    people = Person.objects.filter(kind__in=PARTY_MEMBERS, status=PersonStatus.ACTIVE)
    own = Submission.objects.filter(period=period, subject_unit=SubjectUnit.ORGANIZATION)
    if only is not None:
        people = people.filter(organization_id__in=only)
        own = own.filter(organization_id__in=only)
    counts = dict(
        people.order_by()
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    zero = _ZeroScores(spec)
    units = _unit_results(period, spec, only)
    total_points = float(spec.total_points)
    expected: dict[int, int] = defaultdict(int)
    kinds: dict[int, str] = {}
    scores: dict[int, dict[str, float]] = {}
    business = spec.business_dimensions()
    # By batches: parsed documents held all at once would keep the garbage collector busy.
    scored: list[int] = []
    stored: list[tuple[float, dict[str, list], float, float | None]] = []
    # The dimensions as text, parsed by orjson: Django's JSON decoding costs several times more.
    dimensions = Cast("score__dimensions", models.TextField())
    for org, kind, total, bonus, maximum, dims in (
        own.order_by()
        .annotate(dims=dimensions)
        .values_list(
            "organization_id", "subject_kind", "score__total", "score__bonus", "score__max", "dims"
        )
    ):
        expected[org] += 1
        kinds[org] = kind
        if total is not None:
            scored.append(org)
            stored.append((total, loads(dims) if dims else {}, bonus, maximum))
            if len(stored) == OWN_BATCH:
                scores.update(
                    zip(scored, own_scores_of(stored, total_points, business), strict=True)
                )
                scored, stored = [], []
    scores.update(zip(scored, own_scores_of(stored, total_points, business), strict=True))
    return [
        pure_rollup.Unit(
            id=pk,
            parent=parent,
            root=_root_of(path),
            kind=kind,
            depth=depth,
            people=counts.get(pk, 0),
            expected=expected.get(pk, 0),
            own=scores.get(pk),
            zero=zero(kinds.get(pk, kind)) if expected.get(pk) else None,
            units=units.get(pk),
        )
        for pk, parent, depth, kind, path in orgs
    ]


def unit_weights(spec: EngineFramework) -> dict[str, float]:
    """The weights of unit kinds in their organization's own total (the framework's
    `standards.roll_up_units`; none by default)."""
    return dict((spec.standards or {}).get("roll_up_units") or {})


def _unit_results(
    period: Period, spec: EngineFramework, only: Sequence[int] | None
) -> dict[int, dict[str, tuple[float, float]]]:
    """Per organization, for each weighted kind of unit: (weight, mean total of its units'
    approved scores), in one grouped query; nothing when the framework weighs no units."""
    weights = unit_weights(spec)
    if not weights:
        return {}
    rows = SubjectScore.objects.filter(period=period, subject_kind__in=list(weights)).exclude(
        subject_unit=SubjectUnit.ORGANIZATION
    )
    if only is not None:
        rows = rows.filter(organization_id__in=only)
    out: dict[int, dict[str, tuple[float, float]]] = defaultdict(dict)
    for org, kind, mean in (
        rows.order_by()
        .values("organization_id", "subject_kind")
        .annotate(mean=Avg("total"))
        .values_list("organization_id", "subject_kind", "mean")
    ):
        out[org][kind] = (float(weights[kind]), rounded(mean))
    return out


def _org_rows(queryset: models.QuerySet) -> list[tuple]:
    return list(queryset.values_list("id", "parent_id", "depth", "kind__code", "path"))


def _db_rows(period: Period, rows: Iterable[pure_rollup.Row], now) -> Iterator[tuple]:
    """Database-ready tuples in the order of ROLLUP_FIELDS, made as they are read."""
    # As text once: the COPY would otherwise format the same datetime for every row.
    stamp = str(Rollup._meta.get_field("computed_at").get_db_prep_save(now, connection))
    for r in rows:
        yield (
            period.pk,
            r.organization,
            r.dimension,
            r.score,
            r.own_score,
            r.children_score,
            r.members,
            r.expected,
            r.approved,
            r.completeness,
            r.flagged,
            r.rank_siblings,
            r.rank_peers,
            r.change,
            r.grade or "",
            r.stars,
            dumps(r.explanation),
            stamp,
            r.party_building,
        )


def _columns() -> list[str]:
    return [Rollup._meta.get_field(name).column for name in ROLLUP_FIELDS]


@dataclass
class RollupStats:
    organizations: int
    rows: int


def write_full(period: Period) -> RollupStats:
    """Replace every roll-up row of the period (the caller holds the period lock).

    The rows are computed as arrays, then written a chunk at a time: the text of one chunk is
    made while the database stores the one before, and no more than a chunk's text is held.
    """
    spec = engine_framework(period.framework)
    settings = settings_for(period.framework)
    units = _units(period, spec, _org_rows(Organization.objects.order_by()), only=None)
    table = rollup_arrays.roll_up_arrays(
        units, settings, bands_of(spec), previous=_previous_columns(period)
    )
    Rollup.objects.filter(period=period).delete()
    write_table(period, table, timezone.now())
    return RollupStats(organizations=len(units), rows=len(table))


def write_table(period: Period, table: rollup_arrays.Table, now) -> None:
    """Insert the table's rows: one COPY of text written a chunk at a time on PostgreSQL, the
    rows' values by chunks elsewhere."""
    if connection.vendor == "postgresql":
        copy_text(Rollup, _copy_columns(), _copy_chunks(period, table, now))
    else:
        insert_rows(Rollup, _columns(), _db_rows(period, table.rows(COPY_ROWS), now))


# The columns of a full roll-up's COPY: the organization's first (written once for all its
# rows), then the row's.
COPY_FIELDS = (
    *("period", "organization", "members", "expected", "approved", "completeness", "flagged"),
    *("dimension", "score", "own_score", "children_score", "rank_siblings", "rank_peers"),
    *("change", "grade", "stars", "party_building", "computed_at", "explanation"),
)


def _copy_columns() -> list[str]:
    return [Rollup._meta.get_field(name).column for name in COPY_FIELDS]


def _copy_chunks(period: Period, table: rollup_arrays.Table, now) -> Iterator[str]:
    """The table's rows in COPY's text format (the columns of `_copy_columns`), COPY_ROWS at a
    time; every column of a chunk is written as a whole, the lines by one format each."""
    null = rollup_arrays.NULL
    floats, ints = rollup_arrays.float_texts, rollup_arrays.int_texts
    stamp = copy_field(str(Rollup._meta.get_field("computed_at").get_db_prep_save(now, connection)))
    heads = np.array(
        [
            f"{period.pk}\t{pk}\t{members}\t{expected}\t{approved}\t{completeness}\t{flagged}\t"
            for pk, members, expected, approved, completeness, flagged in zip(
                ints(table.tree.ids),
                ints(table.members),
                ints(table.expected),
                ints(table.approved),
                floats(table.completeness, null),
                np.where(table.flagged, "t", "f").tolist(),
                strict=True,
            )
        ],
        dtype=object,
    )
    codes = np.array([copy_field(code) for code in table.codes], dtype=object)
    # Index -1 (none) reads the last entry: "" for a grade (the column is not null), NULL else.
    grades = np.array([*(copy_field(g) for g, _min in table.bands.grades), ""], dtype=object)
    stars = np.array([*(str(stars) for stars, _min in table.bands.stars), null], dtype=object)
    most = int(max(table.rank_siblings.max(initial=0), table.rank_peers.max(initial=0)))
    ranks = np.array([null, *map(str, range(1, most + 1))], dtype=object)
    escaped = table.escaped
    for start, stop in table.chunks(COPY_ROWS):
        org, dim = table.org[start:stop], table.dim[start:stop]
        explanations = table.explanations(start, stop)
        if escaped:
            explanations = [text.replace("\\", "\\\\") for text in explanations]
        yield "".join(
            [
                f"{h}{d}\t{s}\t{o}\t{c}\t{rs}\t{rp}\t{ch}\t{g}\t{st}\t{p}\t{stamp}\t{e}\n"
                for h, d, s, o, c, rs, rp, ch, g, st, p, e in zip(
                    heads[org].tolist(),
                    codes[dim].tolist(),
                    floats(table.score[start:stop], null),
                    floats(table.own_score[start:stop], null),
                    floats(table.children_score[start:stop], null),
                    ranks[table.rank_siblings[start:stop]].tolist(),
                    ranks[table.rank_peers[start:stop]].tolist(),
                    floats(table.change[start:stop], null),
                    grades[table.grade[start:stop]].tolist(),
                    stars[table.stars[start:stop]].tolist(),
                    floats(np.where(dim == 0, table.party[org], np.nan), null),
                    explanations,  # JSON text: no tab, no line break
                    strict=True,
                )
            ]
        )


@dataclass
class ChainStats:
    rows: int
    ranks_changed: int


def update_chain(period: Period, organization_id: int) -> ChainStats:
    """Rewrite the rows of one organization and its ancestors after its own score changed,
    and the sibling ranks that moved with them. The caller holds the period lock.

    Peer ranks of the chain are carried over; `refresh_peer_ranks` brings them up to date.
    """
    spec = engine_framework(period.framework)
    settings = settings_for(period.framework)
    path = Organization.objects.values_list("path", flat=True).get(pk=organization_id)
    chain_ids = [int(part) for part in path.strip("/").split("/")]
    around = _org_rows(
        Organization.objects.filter(
            Q(pk__in=chain_ids) | Q(parent_id__in=chain_ids) | Q(parent__isnull=True)
        )
    )
    parent_of = {pk: parent for pk, parent, *_rest in around}
    in_chain = set(chain_ids)
    stored = list(
        Rollup.objects.filter(period=period, organization_id__in=list(parent_of))
        .order_by()
        .values_list(
            "id",
            "organization_id",
            "dimension",
            "score",
            "members",
            "expected",
            "approved",
            "rank_siblings",
            "rank_peers",
            # Only what a parent needs, extracted by the database: not every explanation.
            "explanation__missing__organizations",
            "explanation__bonus",
            "party_building",
        )
    )
    subtotals = pure_rollup.subtotals((*row[1:7], *row[9:12]) for row in stored)
    children: dict[int | None, list[pure_rollup.Subtotal]] = defaultdict(list)
    for pk, parent in parent_of.items():
        if pk in subtotals and (parent is None or parent in in_chain):
            children[parent].append(subtotals[pk])
    units = {
        unit.id: unit
        for unit in _units(
            period, spec, [row for row in around if row[0] in in_chain], only=chain_ids
        )
    }
    chain = [units[pk] for pk in chain_ids]
    peer_ranks = {(org, dim): peers for _id, org, dim, *_m, _s, peers, _e, _b, _p in stored}
    result = pure_rollup.roll_up_chain(
        chain,
        children,
        settings,
        bands_of(spec),
        previous=_previous_scores(period, chain_ids),
        peer_ranks={key: value for key, value in peer_ranks.items() if key[0] in in_chain},
    )
    moved = [
        (pk, result.sibling_ranks[(org, dim)])
        for pk, org, dim, *_m, siblings, _peers, _e, _b, _p in stored
        if org not in in_chain
        and (org, dim) in result.sibling_ranks
        and result.sibling_ranks[(org, dim)] != siblings
    ]
    Rollup.objects.filter(period=period, organization_id__in=chain_ids).delete()
    insert_rows(Rollup, _columns(), _db_rows(period, result.rows, timezone.now()))
    update_column(Rollup, "rank_siblings", moved)
    return ChainStats(rows=len(result.rows), ranks_changed=len(moved))


def refresh_peer_ranks(period: Period) -> int:
    """Recompute the ranks among peers (same root, kind and depth) of every row of the period;
    returns how many changed. The caller holds the period lock."""
    group_of = {
        pk: (_root_of(path), kind, depth)
        for pk, kind, depth, path in Organization.objects.order_by().values_list(
            "pk", "kind__code", "depth", "path"
        )
    }
    rows = list(
        Rollup.objects.filter(period=period)
        .order_by()
        .values_list("id", "organization_id", "dimension", "score", "rank_peers")
    )
    groups: dict[tuple, list[tuple[int, float | None]]] = defaultdict(list)
    for pk, org, dim, score, _rank in rows:
        groups[(*group_of[org], dim)].append((pk, score))
    ranks: dict[Any, int | None] = {}
    for members in groups.values():
        ranks.update(pure_rollup.rank(members))
    changed = [(pk, ranks[pk]) for pk, *_rest, stored in rows if ranks[pk] != stored]
    update_column(Rollup, "rank_peers", changed)
    return len(changed)


def update_column(model: type[models.Model], field: str, pairs: Sequence[tuple[int, Any]]) -> None:
    """Set one column of many rows by primary key: ``UPDATE … FROM (VALUES …)`` on PostgreSQL
    (DESIGN §6: bulk_update's giant CASE is 15–20× slower), executemany elsewhere."""
    if not pairs:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = quote(model._meta.get_field(field).column)
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",
                [(value, key) for key, value in pairs],
            )
            return
        db_type = model._meta.get_field(field).db_type(connection)
        for start in range(0, len(pairs), UPDATE_BATCH):
            batch = pairs[start : start + UPDATE_BATCH]
            values = ", ".join([f"(%s::bigint, %s::{db_type})"] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET {column} = v.value FROM (VALUES {values}) AS v(key, value) "
                f"WHERE {table}.{pk} = v.key",
                [item for pair in batch for item in pair],
            )
