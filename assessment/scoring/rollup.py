"""The roll-up arithmetic: an organization's score over its subtree, from plain rows.

Pure Python, no Django and no I/O: the services read rows, call these functions and write what
they return, so every rule here is testable with hand-made numbers.

For one organization and one dimension (``TOTAL`` for the total):

- its **own** score is that of its own approved submission; a submission that is expected but not
  approved counts as the engine's score of no values (0 wherever its kind is scored) when the
  settings say ``missing: zero``, and is left out (and flagged) when they say ``missing: flag``;
- its **children's** score is the weighted mean of the children that have one, weighted equally or
  by the party members of each child's subtree (equally when those add up to 0);
- its **score** is ``own_weight × own + (1 − own_weight) × children`` when it has both, else
  whichever it has, else none.

The bonus points (on top of the framework's total) ride along under ``BONUS`` and roll up by
the same weights as the total, so the total row can say how much of its score is bonus; they are
stored in that row's explanation, never as a dimension row of their own. Party building (an
organization's own total without its business results, on a scale of 100) rides along under
``PARTY`` and rolls up like a dimension, so the total row carries the subtree's party building
without any business result at any level: the figure the effectiveness analysis compares with
business results (a subtree's total includes them, and would compare them with themselves).

Scores are on the scale of the framework's total (a dimension's share × ``total_points``) and
rounded to 6 decimals as they are made, so a parent computed from stored child rows (the
incremental path) gets exactly what a full run gets. Ranks are competition ranks (1, 2, 2, 4)
over the scores, best first; an organization without a score has no rank.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .values import rounded

__all__ = [
    "BONUS",
    "EQUAL",
    "FLAG",
    "MEMBERS",
    "MISSING_LISTED",
    "PARTY",
    "TOTAL",
    "ZERO",
    "Bands",
    "ChainResult",
    "Combined",
    "Row",
    "Settings",
    "Subtotal",
    "Unit",
    "combine",
    "party_building",
    "rank",
    "roll_up",
    "roll_up_chain",
    "subtotals",
    "to_rows",
]

TOTAL = ""  # the dimension code of the total
BONUS = "+bonus"  # the bonus points within the total: no dimension code has a "+"
PARTY = "+party"  # the total without business results, on a scale of 100
RIDERS = (BONUS, PARTY)  # carried with the scores, stored in the total row, never ranked
EQUAL, MEMBERS = "equal", "members"  # how children are weighted
ZERO, FLAG = "zero", "flag"  # what a missing submission does
# The total row names at most this many organizations whose submission is missing (the
# smallest ids), with the full count beside them: the root's list would otherwise be the tree.
MISSING_LISTED = 20

APPROVED, MISSING, NOT_EXPECTED, NOT_APPLICABLE = (
    "approved",
    "missing",
    "not_expected",
    "not_applicable",
)


@dataclass(frozen=True, slots=True)
class Settings:
    """How a framework's scores roll up; the defaults are those of a framework never configured."""

    own_weight: float = 0.3
    children: str = EQUAL
    missing: str = ZERO

    def __post_init__(self) -> None:
        if not 0 <= self.own_weight <= 1:
            raise ValueError(f"own_weight must be from 0 to 1, not {self.own_weight!r}")
        if self.children not in (EQUAL, MEMBERS):
            raise ValueError(f"children must be {EQUAL!r} or {MEMBERS!r}, not {self.children!r}")
        if self.missing not in (ZERO, FLAG):
            raise ValueError(f"missing must be {ZERO!r} or {FLAG!r}, not {self.missing!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"own_weight": self.own_weight, "children": self.children, "missing": self.missing}


@dataclass(frozen=True, slots=True)
class Bands:
    """Grade and star bands, best first, as ``(grade, min)`` and ``(stars, min)``."""

    grades: tuple[tuple[str, float], ...]
    stars: tuple[tuple[int, float], ...]

    def grade_of(self, score: float | None) -> str | None:
        if score is not None:
            for grade, low in self.grades:
                if score >= low:
                    return grade
        return None

    def stars_of(self, score: float | None) -> int | None:
        if score is not None:
            for stars, low in self.stars:
                if score >= low:
                    return stars
        return None


@dataclass(frozen=True, slots=True)
class Unit:
    """One organization as the roll-up sees it.

    ``own`` holds the scores of its own approved submission by dimension (``TOTAL`` included,
    ``BONUS`` and ``PARTY`` beside them), None when it has none approved; ``zero`` what a missing
    one counts as under ``missing: zero`` (0 for the total, party building and each dimension its
    kind is scored on). ``expected`` is how many
    submissions of its own the period expects (0 or 1), ``people`` its own active party members.
    ``units`` holds, for each kind of unit whose results the framework counts in its
    organization's score (its leading group, departments, members, staff), the kind's weight and
    the mean total of those units' approved scores; they are mixed into the own total and party
    building (`blend`).
    """

    id: int
    parent: int | None
    root: int
    kind: str
    depth: int
    people: int = 0
    expected: int = 0
    own: Mapping[str, float] | None = None
    zero: Mapping[str, float] | None = None
    units: Mapping[str, tuple[float, float]] | None = None


def party_building(
    total: float, maximum: float, business_points: float, business_max: float
) -> float | None:
    """A subject's party building on a scale of 100: its total without the business-result
    points, over its maximum without theirs. Bonus points and deductions stay in, so it can pass
    100 a little. None when nothing but business results is scored (no maximum left)."""
    rest = maximum - business_max
    if rest <= 0:
        return None
    return rounded((total - business_points) / rest * 100)


def added(values: Iterable[float]) -> float:
    """The sum of floats from left to right, from 0.0: the order numpy's ``bincount`` adds in, so
    the roll-up as arrays (`rollup_arrays`) gets the same floats. (Python 3.12's ``sum`` adds
    floats with a compensation, which may differ in the last place.)"""
    total = 0.0
    for value in values:
        total += value
    return total


def blend(own_total: float, units: Mapping[str, tuple[float, float]]) -> float:
    """The own total with its units' results mixed in: each kind of unit weighs its weight, the
    organization's own submission the rest (kinds with no scored unit take no part)."""
    weights = added(weight for weight, _score in units.values())
    mixed = added(weight * score for weight, score in units.values())
    return rounded((1 - weights) * own_total + mixed)


@dataclass(frozen=True, slots=True)
class Subtotal:
    """What a parent needs to know of a child; stored in the child's rows, readable back."""

    id: int
    members: int
    expected: int
    approved: int
    missing: tuple[int, ...]
    scores: Mapping[str, float]


@dataclass(slots=True)
class Combined:
    """One organization's roll-up over its subtree, every dimension, before ranks."""

    unit: Unit
    settings: Settings
    members: int
    expected: int
    approved: int
    missing: tuple[int, ...]
    own_status: str
    scores: dict[str, float] = field(default_factory=dict)
    own: dict[str, float] = field(default_factory=dict)
    children: dict[str, float] = field(default_factory=dict)
    own_share: dict[str, float] = field(default_factory=dict)
    weighting: dict[str, str] = field(default_factory=dict)
    parts: dict[str, list[tuple[int, float, float]]] = field(default_factory=dict)

    @property
    def subtotal(self) -> Subtotal:
        return Subtotal(
            self.unit.id, self.members, self.expected, self.approved, self.missing, self.scores
        )

    @property
    def dimensions(self) -> list[str]:
        """The dimensions it gets a row for: the total always, the others where it has a score."""
        return [TOTAL, *sorted(d for d in self.scores if d != TOTAL and d not in RIDERS)]


@dataclass(slots=True)  # not frozen: a full run makes hundreds of thousands
class Row:
    """One stored roll-up row: an organization × a dimension (``TOTAL`` for the total)."""

    organization: int
    dimension: str
    score: float | None
    own_score: float | None
    children_score: float | None
    members: int
    expected: int
    approved: int
    completeness: float | None
    flagged: bool
    rank_siblings: int | None
    rank_peers: int | None
    change: float | None
    grade: str | None
    stars: int | None
    explanation: dict[str, Any]
    party_building: float | None = None  # the total row's only


def subtotals(
    rows: Iterable[
        tuple[
            int, str, float | None, int, int, int, Sequence[int] | None, float | None, float | None
        ]
    ],
) -> dict[int, Subtotal]:
    """Subtotals read back from stored rows given as (organization, dimension, score, members,
    expected, approved, missing organizations and bonus of the total row's explanation, party
    building of the total row); an organization counts once its total row is among them."""
    totals: dict[int, tuple[int, int, int, tuple[int, ...]]] = {}
    scores: dict[int, dict[str, float]] = defaultdict(dict)
    for org, dim, score, members, expected, approved, missing, bonus, party in rows:
        if dim == TOTAL:
            totals[org] = (members, expected, approved, tuple(missing or ()))
            if bonus is not None:
                scores[org][BONUS] = bonus
            if party is not None:
                scores[org][PARTY] = party
        if score is not None:
            scores[org][dim] = score
    return {
        org: Subtotal(org, members, expected, approved, missing, scores.get(org, {}))
        for org, (members, expected, approved, missing) in totals.items()
    }


def _mean(items: list[tuple[int, float, float]]) -> float:
    total_weight = added(weight for _id, weight, _score in items)
    return rounded(added(weight * score for _id, weight, score in items) / total_weight)


def combine(unit: Unit, children: Sequence[Subtotal], settings: Settings) -> Combined:
    """The roll-up of one organization from its own submission and its children's subtotals."""
    # By id: the same sums in the same order (and the same explanation) however rows were read.
    children = sorted(children, key=lambda child: child.id)
    own_approved = unit.own is not None
    own_missing = not own_approved and unit.expected > 0
    missing = {unit.id} if own_missing else set()
    for child in children:
        missing.update(child.missing)
    if own_approved:
        status, own = APPROVED, dict(unit.own or {})
        if unit.units:
            # The units' results are party building through and through: both mix them in.
            for dim in (TOTAL, PARTY):
                if dim in own:
                    own[dim] = blend(own[dim], unit.units)
    elif own_missing:
        status = MISSING
        own = dict(unit.zero or {TOTAL: 0.0}) if settings.missing == ZERO else {}
    else:
        status, own = NOT_EXPECTED, {}
    result = Combined(
        unit=unit,
        settings=settings,
        members=unit.people + sum(child.members for child in children),
        expected=max(unit.expected, int(own_approved)) + sum(c.expected for c in children),
        approved=int(own_approved) + sum(child.approved for child in children),
        missing=tuple(sorted(set(missing)))[:MISSING_LISTED],
        own_status=status,
    )
    dimensions = set(own)
    for child in children:
        dimensions.update(child.scores)
    if TOTAL in dimensions:
        # Whoever has a total has a bonus (0 where none was recorded): the bonus is mixed by
        # exactly the total's weights.
        dimensions.add(BONUS)
        if TOTAL in own:
            own.setdefault(BONUS, 0.0)
    for dim in dimensions:
        having = TOTAL if dim == BONUS else dim
        with_score = [child for child in children if having in child.scores]
        children_score = None
        if with_score:
            by_members = settings.children == MEMBERS
            weights = [float(c.members) if by_members else 1.0 for c in with_score]
            weighting = settings.children
            if added(weights) <= 0:  # members, but none anywhere: equal weights rather than 0/0
                weights, weighting = [1.0] * len(with_score), EQUAL
            items = [
                (c.id, w, c.scores.get(dim, 0.0)) for c, w in zip(with_score, weights, strict=True)
            ]
            children_score = _mean(items)
            result.parts[dim] = items
            result.weighting[dim] = weighting
            result.children[dim] = children_score
        own_score = own.get(dim)
        if own_score is not None and children_score is not None:
            share = settings.own_weight
            score = rounded(share * own_score + (1 - share) * children_score)
        elif own_score is not None:
            share, score = 1.0, own_score
        else:
            assert children_score is not None  # the dimension came from a child's scores
            share, score = 0.0, children_score
        if own_score is not None:
            result.own[dim] = own_score
        result.own_share[dim] = share
        result.scores[dim] = score
    return result


def rank(scores: Iterable[tuple[Hashable, float | None]]) -> dict[Hashable, int | None]:
    """Competition ranks, best first: equal scores share a rank and the next skips (1, 2, 2, 4)."""
    ranked: dict[Hashable, int | None] = {}
    scored = []
    for key, score in scores:
        if score is None:
            ranked[key] = None
        else:
            scored.append((score, key))
    scored.sort(key=lambda pair: pair[0], reverse=True)
    previous: float | None = None
    position = 0
    for index, (score, key) in enumerate(scored, start=1):
        if score != previous:
            position, previous = index, score
        ranked[key] = position
    return ranked


def _explanation(result: Combined, dim: str, own_score: float | None) -> dict[str, Any]:
    status = result.own_status
    if status == APPROVED and own_score is None:
        status = NOT_APPLICABLE
    share = result.own_share.get(dim, 0.0)
    parts = result.parts.get(dim)
    if parts:
        children = {
            "weighting": result.weighting[dim],
            "weight": rounded(1 - share),
            "items": [list(item) for item in parts],
        }
    else:  # most rows (every leaf's): one shared, never modified
        children = _NO_CHILDREN[result.settings.children]
    own = {"status": status, "score": own_score, "weight": share}
    units = result.unit.units
    if dim == TOTAL and units and status == APPROVED:
        own["units"] = {
            kind: {"weight": weight, "score": score} for kind, (weight, score) in units.items()
        }
        own["alone"] = (result.unit.own or {}).get(TOTAL)
    return {"own": own, "children": children}


_NO_CHILDREN = {mode: {"weighting": mode, "weight": 0.0, "items": []} for mode in (EQUAL, MEMBERS)}


def to_rows(
    result: Combined,
    bands: Bands,
    *,
    previous: Mapping[str, float | None],
    sibling_ranks: Mapping[str, int | None],
    peer_ranks: Mapping[str, int | None],
) -> list[Row]:
    """The rows of one organization: the total, then each dimension it has a score in.

    ``previous`` holds the scores of the previous period of the same kind by dimension; the rank
    mappings this organization's ranks by dimension.
    """
    settings = result.settings
    org, members, expected, approved = (
        result.unit.id,
        result.members,
        result.expected,
        result.approved,
    )
    completeness = rounded(approved / expected) if expected else None
    flagged = settings.missing == FLAG and approved < expected
    scores, own, children = result.scores, result.own, result.children
    rows = []
    for dim in result.dimensions:
        score = scores.get(dim)
        own_score = own.get(dim)
        before = previous.get(dim)
        explanation = _explanation(result, dim, own_score)
        if dim == TOTAL:
            explanation["missing"] = {
                "mode": settings.missing,
                "count": expected - approved,
                "organizations": list(result.missing),
            }
            explanation["settings"] = settings.to_dict()
            explanation["bonus"] = scores.get(BONUS)
        rows.append(
            Row(
                org,
                dim,
                score,
                own_score,
                children.get(dim),
                members,
                expected,
                approved,
                completeness,
                flagged,
                sibling_ranks.get(dim),
                peer_ranks.get(dim),
                None if score is None or before is None else rounded(score - before),
                bands.grade_of(score),
                bands.stars_of(score),
                explanation,
                scores.get(PARTY) if dim == TOTAL else None,
            )
        )
    return rows


def _ranks_by_group(
    groups: Mapping[Hashable, Sequence[Subtotal]],
) -> dict[int, dict[str, int | None]]:
    """Ranks by organization, then dimension, within each group, for every dimension in it."""
    out: dict[int, dict[str, int | None]] = defaultdict(dict)
    for members in groups.values():
        dims = {TOTAL}
        for member in members:
            dims.update(member.scores)
        dims.difference_update(RIDERS)
        for dim in dims:
            for org, r in rank((m.id, m.scores.get(dim)) for m in members).items():
                out[org][dim] = r
    return out


def roll_up(
    units: Iterable[Unit],
    settings: Settings,
    bands: Bands,
    *,
    previous: Mapping[tuple[int, str], float | None] | None = None,
) -> Iterator[Row]:
    """Every organization's rows for one period (lazily: a big tree makes many).

    ``previous`` holds the previous period's scores by (organization, dimension). Siblings are the
    children of one parent (the roots among themselves); peers share the root, kind and depth.
    """
    previous = previous or {}
    units = list(units)
    children_of: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        children_of[unit.parent].append(unit)
    results: dict[int, Combined] = {}
    for unit in sorted(units, key=lambda u: u.depth, reverse=True):
        kids = [results[child.id].subtotal for child in children_of.get(unit.id, ())]
        results[unit.id] = combine(unit, kids, settings)

    siblings: dict[Hashable, list[Subtotal]] = defaultdict(list)
    peers: dict[Hashable, list[Subtotal]] = defaultdict(list)
    for unit in units:
        subtotal = results[unit.id].subtotal
        siblings[unit.parent].append(subtotal)
        peers[(unit.root, unit.kind, unit.depth)].append(subtotal)
    sibling_ranks = _ranks_by_group(siblings)
    peer_ranks = _ranks_by_group(peers)

    for unit in units:
        result = results.pop(unit.id)  # rows made: let it go
        before = {d: previous.get((unit.id, d)) for d in result.dimensions} if previous else {}
        yield from to_rows(
            result,
            bands,
            previous=before,
            sibling_ranks=sibling_ranks.get(unit.id, {}),
            peer_ranks=peer_ranks.get(unit.id, {}),
        )


@dataclass
class ChainResult:
    """What changes when one organization's own score changes: its rows and its ancestors',
    and the sibling ranks of every group they belong to (to compare with the stored ones)."""

    rows: list[Row]
    sibling_ranks: dict[tuple[int, str], int | None]


def roll_up_chain(
    chain: Sequence[Unit],
    children: Mapping[int | None, Sequence[Subtotal]],
    settings: Settings,
    bands: Bands,
    *,
    previous: Mapping[tuple[int, str], float | None] | None = None,
    peer_ranks: Mapping[tuple[int, str], int | None] | None = None,
) -> ChainResult:
    """Recompute one organization and its ancestors from their children's stored subtotals.

    ``chain`` runs from the root down to the organization whose own score changed; ``children``
    maps each chain organization's id to its children's subtotals as stored (the chain member
    among them is replaced by its new result) and None to the roots. Peer ranks are not
    recomputed here: ``peer_ranks`` holds the stored ones, carried over.
    """
    previous = previous or {}
    peer_ranks = peer_ranks or {}
    results: list[Combined] = []
    fresh: dict[int, Subtotal] = {}

    def with_fresh(stored: Sequence[Subtotal], member: Subtotal | None) -> list[Subtotal]:
        """Stored subtotals with the chain's new ones; the chain member joins even when it had
        no row yet (an organization created since the last full run)."""
        merged = [fresh.get(s.id, s) for s in stored]
        if member is not None and member.id not in {m.id for m in merged}:
            merged.append(member)
        return merged

    below: Subtotal | None = None
    for unit in reversed(chain):
        result = combine(unit, with_fresh(children.get(unit.id, ()), below), settings)
        below = fresh[unit.id] = result.subtotal
        results.append(result)

    groups = {
        unit.parent: with_fresh(children.get(unit.parent, ()), fresh[unit.id]) for unit in chain
    }
    sibling_ranks = _ranks_by_group(groups)

    rows: list[Row] = []
    for result in reversed(results):
        org, dims = result.unit.id, result.dimensions
        rows.extend(
            to_rows(
                result,
                bands,
                previous={d: previous.get((org, d)) for d in dims},
                sibling_ranks=sibling_ranks.get(org, {}),
                peer_ranks={d: peer_ranks.get((org, d)) for d in dims},
            )
        )
    flat = {(org, dim): r for org, ranks in sibling_ranks.items() for dim, r in ranks.items()}
    return ChainResult(rows=rows, sibling_ranks=flat)
