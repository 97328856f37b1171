"""The full roll-up as arrays: every organization × every dimension at once, level by level.

``rollup.roll_up`` combines one organization at a time from dictionaries; it stays the reference
(and the incremental path after one approval). This module computes the same rows for a whole
tree with numpy and gives them as columns, which the full recompute writes with COPY:

- scores are an organizations × dimensions matrix, NaN where there is none (the total, each
  dimension, then the ``BONUS`` and ``PARTY`` riders as two more columns);
- the tree is walked from the deepest parents up: at each level, the children's weighted sums
  per parent and dimension are one ``bincount`` over the children sorted by id, so every sum is
  taken in the order the pure ``combine`` takes it (left to right, by id) and every float is the
  same, not merely close; each level is rounded like ``values.rounded`` (`round6`);
- grades and stars by the band minimums, ranks by one ``lexsort`` per kind of group, the change
  against the previous period, completeness: whole columns at a time;
- the explanation of each row is written as JSON text straight from the columns, the text
  ``core.fastjson.dumps`` makes of the pure roll-up's dictionary (byte for byte), a chunk of rows
  at a time so a tree of any size never holds every row's text at once.

``tests/scoring/test_rollup_arrays.py`` proves on generated trees that `roll_up_arrays` gives
exactly the rows of `rollup.roll_up`, every field and the explanation included.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from .rollup import (
    APPROVED,
    BONUS,
    EQUAL,
    FLAG,
    MEMBERS,
    MISSING,
    MISSING_LISTED,
    NOT_APPLICABLE,
    NOT_EXPECTED,
    PARTY,
    TOTAL,
    ZERO,
    Bands,
    Row,
    Settings,
    Unit,
    blend,
)
from .values import DIGITS, rounded

__all__ = ["NULL", "Previous", "Table", "float_texts", "int_texts", "roll_up_arrays", "round6"]

NULL = "\\N"  # COPY's text format: no value
_STATUSES = (APPROVED, MISSING, NOT_EXPECTED, NOT_APPLICABLE)  # codes 0..3 of a row's own status
_SHARE_BOTH, _SHARE_OWN, _SHARE_CHILDREN = 0, 1, 2  # the own score's weight: own_weight, 1, 0


def round6(values: np.ndarray) -> np.ndarray:
    """``round(x, 6)`` of every element, exactly as Python rounds it (`values.rounded`).

    numpy scales, rounds half to even and scales back: the division is correctly rounded like
    Python's, but the scaling may round a product lying within a few units in the last place of
    a half to the other side; those few (and products too large for the scaling) are rounded by
    Python. NaN stays NaN."""
    out = np.round(values, DIGITS)
    scaled = values * 10.0**DIGITS
    with np.errstate(invalid="ignore"):
        doubtful = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) <= np.abs(scaled) * 1e-15
        doubtful |= np.abs(scaled) >= 2.0**52
    for index in zip(*np.nonzero(doubtful), strict=True):
        out[index] = rounded(float(values[index]))
    return out


def float_texts(values: np.ndarray, null: str = "null") -> list[str]:
    """Each float as JSON text, as orjson writes it (so as `core.fastjson` does), `null` for NaN.

    orjson writes a whole array at once, several times faster than ``repr`` value by value, and
    its text is what the explanations must hold (``0.00001`` and ``1e-7`` where repr writes
    ``1e-05`` and ``1e-07``); PostgreSQL reads it as the same float8, so it serves COPY too, with
    ``\\N`` for null."""
    if not len(values):
        return []
    text = orjson.dumps(np.ascontiguousarray(values, dtype=np.float64), option=_NUMPY)
    if null != "null":
        text = text.replace(b"null", null.encode())
    return text[1:-1].decode().split(",")


def int_texts(values: np.ndarray) -> list[str]:
    """Each integer as text, a whole array at once."""
    if not len(values):
        return []
    text = orjson.dumps(np.ascontiguousarray(values, dtype=np.int64), option=_NUMPY)
    return text[1:-1].decode().split(",")


_NUMPY = orjson.OPT_SERIALIZE_NUMPY


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


@dataclass(frozen=True)
class Previous:
    """The previous period's scores as columns: organization ids, dimension codes and scores
    (None where the row had none)."""

    organizations: Sequence[int]
    dimensions: Sequence[str]
    scores: Sequence[float | None]

    @classmethod
    def of(cls, mapping: Mapping[tuple[int, str], float | None]) -> Previous:
        keys = list(mapping)
        return cls([k[0] for k in keys], [k[1] for k in keys], list(mapping.values()))


@dataclass
class _Tree:
    """The organizations as arrays, in the order they were given (the order of the rows)."""

    units: list[Unit]
    ids: np.ndarray  # int64
    parent: np.ndarray  # index of the parent among the units, -1 for none
    depth: np.ndarray
    status: np.ndarray  # _STATUSES code of the own submission (never NOT_APPLICABLE here)
    people: np.ndarray
    expected: np.ndarray  # of its own: max(expected, approved)
    approved: np.ndarray  # of its own: 0 or 1
    mixed: np.ndarray  # units' results are mixed into its own total (bool)


@dataclass
class Table:
    """The rows of a full roll-up as columns, in the order `rollup.roll_up` yields them.

    Per row: ``org`` (the index of its organization among the units) and ``dim`` (of its
    dimension among ``codes``). Matrices are organizations × dimensions (``codes``, then the
    riders); per-organization columns are indexed by ``org``.
    """

    settings: Settings
    bands: Bands
    tree: _Tree
    codes: list[str]  # the dimensions that get rows: TOTAL first, then by code
    org: np.ndarray
    dim: np.ndarray
    score: np.ndarray  # per row, NaN for none
    own_score: np.ndarray
    children_score: np.ndarray
    change: np.ndarray
    rank_siblings: np.ndarray  # 0 for none
    rank_peers: np.ndarray
    grade: np.ndarray  # index into bands.grades, -1 for none
    stars: np.ndarray  # index into bands.stars, -1 for none
    members: np.ndarray  # per organization
    expected: np.ndarray
    approved: np.ndarray
    completeness: np.ndarray
    missing: list[tuple[int, ...]]
    bonus: np.ndarray  # per organization, NaN for none
    party: np.ndarray
    share: np.ndarray  # per row: _SHARE_* code of the own score's weight
    fallback: np.ndarray  # per row: members weighting fell back to equal weights
    parts_start: np.ndarray  # per row, into the items: [parts_start[r], parts_start[r + 1])
    item_row: np.ndarray  # per item: the row of the child it names (same dimension)
    item_equal: np.ndarray  # per item: weighted 1 (rather than by the child's members)

    def __len__(self) -> int:
        return len(self.org)

    @property
    def flagged(self) -> np.ndarray:
        """Per organization."""
        if self.settings.missing != FLAG:
            return np.zeros(len(self.members), dtype=bool)
        return self.approved < self.expected

    @property
    def escaped(self) -> bool:
        """Whether an explanation holds a backslash: only the name of a kind of unit can, in
        JSON's escape of a quote or a control character (COPY's text format doubles it)."""
        units = self.tree.units
        return any(
            "\\" in _json(kind)
            for index in np.flatnonzero(self.tree.mixed).tolist()
            for kind in units[index].units or ()
        )

    def chunks(self, size: int) -> Iterator[tuple[int, int]]:
        """Ranges of rows [start, stop) holding about `size` rows and items together (at least
        one row): a row naming a thousand children weighs a thousand rows of text."""
        weight = np.arange(len(self) + 1) + self.parts_start  # rows and items before each row
        start = 0
        while start < len(self):
            stop = int(np.searchsorted(weight, weight[start] + size, side="right")) - 1
            stop = min(len(self), max(stop, start + 1))
            yield start, stop
            start = stop

    # -- text ------------------------------------------------------------------------------

    def explanations(self, start: int, stop: int) -> list[str]:
        """The explanations of rows [start, stop) as JSON text: what `core.fastjson.dumps`
        writes of the pure roll-up's ``Row.explanation``."""
        settings = self.settings
        org = self.org[start:stop]
        dim = self.dim[start:stop]
        own = self.own_score[start:stop]
        status = self.tree.status[org]
        status = np.where((status == 0) & np.isnan(own), 3, status)  # approved, not this one
        heads = np.array([f'{{"own":{{"status":"{s}","score":' for s in _STATUSES], dtype=object)
        # The own score's weight: own_weight with children, 1 alone, 0 without (or no score).
        weights = np.array(
            [f',"weight":{w}' for w in (_json(settings.own_weight), "1.0", "0.0")], dtype=object
        )
        return [
            f'{h}{o}{w}{u}}},"children":{c}{t}}}'
            for h, o, w, u, c, t in zip(
                heads[status].tolist(),
                float_texts(own),
                weights[self.share[start:stop]].tolist(),
                self._unit_texts(org, dim, status),
                self._children_texts(start, stop),
                self._total_texts(org, dim),
                strict=True,
            )
        ]

    def _children_texts(self, start: int, stop: int) -> list[str]:
        """The children's part of each row: how they were weighted, their share, and the items
        (id, weight, score) of the children with a score in the row's dimension, by id."""
        settings = self.settings
        out = [_json({"weighting": settings.children, "weight": 0.0, "items": []})] * (stop - start)
        bounds = self.parts_start[start : stop + 1]
        having = np.flatnonzero(bounds[1:] > bounds[:-1])
        if not len(having):
            return out
        first, last = int(bounds[0]), int(bounds[-1])
        item_rows = self.item_row[first:last]
        kids = self.org[item_rows]
        if settings.children == MEMBERS:
            weights = np.where(self.item_equal[first:last], 1.0, self.members[kids])
            weight_texts = float_texts(weights)
        else:
            weight_texts = ["1.0"] * (last - first)
        items = [
            f"[{i},{w},{s}]"
            for i, w, s in zip(
                int_texts(self.tree.ids[kids]),
                weight_texts,
                float_texts(self.score[item_rows]),
                strict=True,
            )
        ]
        # The children's share, rounded(1 − share): share is own_weight beside an own score,
        # else 0; the weighting is equal where members weighting found no members.
        rows = having + start
        heads = np.array(
            [
                f'{{"weighting":"{weighting}","weight":{weight},"items":['
                for weighting in (settings.children, EQUAL)
                for weight in (_json(rounded(1 - settings.own_weight)), "1.0")
            ],
            dtype=object,
        )
        kind = 2 * self.fallback[rows] + (self.share[rows] != _SHARE_BOTH)
        offsets = (bounds - first).tolist()
        for position, head in zip(having.tolist(), heads[kind].tolist(), strict=True):
            joined = ",".join(items[offsets[position] : offsets[position + 1]])
            out[position] = f"{head}{joined}]}}"
        return out

    def _unit_texts(self, org: np.ndarray, dim: np.ndarray, status: np.ndarray) -> list[str]:
        """The own units and the own total alone, in the total rows of organizations whose units
        were mixed into an approved own total; "" elsewhere."""
        out = [""] * len(org)
        units = self.tree.units
        mixing = (dim == 0) & (status == 0) & self.tree.mixed[org]
        for position in np.flatnonzero(mixing).tolist():
            unit = units[int(org[position])]
            mixed = {
                kind: {"weight": weight, "score": score}
                for kind, (weight, score) in (unit.units or {}).items()
            }
            alone = (unit.own or {}).get(TOTAL)
            out[position] = f',"units":{_json(mixed)},"alone":{_json(alone)}'
        return out

    def _total_texts(self, org: np.ndarray, dim: np.ndarray) -> list[str]:
        """The missing submissions, the settings and the bonus, in the total rows; "" elsewhere."""
        settings = self.settings
        out = [""] * len(org)
        where = np.flatnonzero(dim == 0)
        orgs = org[where]
        head = f',"missing":{{"mode":"{settings.missing}","count":'
        tail = f',"settings":{_json(settings.to_dict())},"bonus":'
        missing = self.missing
        for position, index, count, bonus in zip(
            where.tolist(),
            orgs.tolist(),
            int_texts(self.expected[orgs] - self.approved[orgs]),
            float_texts(self.bonus[orgs]),
            strict=True,
        ):
            listed = ",".join(map(str, missing[index]))
            out[position] = f'{head}{count},"organizations":[{listed}]}}{tail}{bonus}'
        return out

    # -- rows --------------------------------------------------------------------------------

    def rows(self, chunk: int = 10_000) -> Iterator[Row]:
        """The rows as the pure roll-up's `Row`s (the explanation parsed), made `chunk` at a
        time: for writers without COPY, and for comparing."""
        for start, stop in self.chunks(chunk):
            texts = self.explanations(start, stop)
            yield from (
                self._row(r, orjson.loads(text))
                for r, text in zip(range(start, stop), texts, strict=True)
            )

    def _row(self, r: int, explanation: dict[str, Any]) -> Row:
        o, d = int(self.org[r]), int(self.dim[r])

        def value(array: np.ndarray) -> float | None:
            x = float(array[r])
            return None if x != x else x

        grade, stars = int(self.grade[r]), int(self.stars[r])
        party = float(self.party[o])
        return Row(
            organization=int(self.tree.ids[o]),
            dimension=self.codes[d],
            score=value(self.score),
            own_score=value(self.own_score),
            children_score=value(self.children_score),
            members=int(self.members[o]),
            expected=int(self.expected[o]),
            approved=int(self.approved[o]),
            completeness=None if self.expected[o] == 0 else float(self.completeness[o]),
            flagged=bool(self.flagged[o]),
            rank_siblings=int(self.rank_siblings[r]) or None,
            rank_peers=int(self.rank_peers[r]) or None,
            change=value(self.change),
            grade=self.bands.grades[grade][0] if grade >= 0 else None,
            stars=self.bands.stars[stars][0] if stars >= 0 else None,
            explanation=explanation,
            party_building=None if d != 0 or party != party else party,
        )


def _tree(units: list[Unit], settings: Settings) -> tuple[_Tree, list[Mapping[str, float]]]:
    """The units as arrays, and each one's own scores as the pure `combine` counts them."""
    index_of = {unit.id: i for i, unit in enumerate(units)}
    owns: list[Mapping[str, float]] = []
    status = np.empty(len(units), dtype=np.int8)
    approved = np.zeros(len(units), dtype=np.int64)
    for i, unit in enumerate(units):
        # The unit's own mappings are read, never changed: copied only where they differ.
        own: Mapping[str, float]
        if unit.own is not None:
            status[i], approved[i] = 0, 1
            own = unit.own
            if unit.units:
                own = dict(own)
                for dim in (TOTAL, PARTY):
                    if dim in own:
                        own[dim] = blend(own[dim], unit.units)
        elif unit.expected > 0:
            status[i] = 1
            own = (unit.zero or {TOTAL: 0.0}) if settings.missing == ZERO else {}
        else:
            status[i], own = 2, {}
        if TOTAL in own and BONUS not in own:
            own = {**own, BONUS: 0.0}  # the bonus rides with the total, 0 where none was given
        owns.append(own)
    expected = np.array([unit.expected for unit in units], dtype=np.int64)
    tree = _Tree(
        units=units,
        ids=np.array([unit.id for unit in units], dtype=np.int64),
        parent=np.array(
            [-1 if unit.parent is None else index_of.get(unit.parent, -1) for unit in units],
            dtype=np.int64,
        ),
        depth=np.array([unit.depth for unit in units], dtype=np.int64),
        status=status,
        people=np.array([unit.people for unit in units], dtype=np.int64),
        expected=np.maximum(expected, approved),
        approved=approved,
        mixed=np.array([bool(unit.units) for unit in units], dtype=bool),
    )
    return tree, owns


def _groups(keys: Sequence[Any]) -> np.ndarray:
    """Each key's group number (equal keys, equal numbers)."""
    numbers: dict[Any, int] = {}
    return np.array([numbers.setdefault(key, len(numbers)) for key in keys], dtype=np.int64)


def _ranks(
    groups: Sequence[np.ndarray], org: np.ndarray, dim: np.ndarray, scores: np.ndarray
) -> list[np.ndarray]:
    """Competition ranks (1, 2, 2, 4), best first, of each row among the rows of the same
    dimension whose organizations are in the same group and have a score, for each grouping of
    the organizations; 0 where the row has no score. The rows are sorted by score once, then
    (stably) by group and dimension for each grouping."""
    scored = np.flatnonzero(~np.isnan(scores))
    best_first = scored[np.argsort(-scores[scored])]  # the order of equal scores is no matter
    values = scores[best_first]
    width = int(dim.max(initial=0)) + 1
    position = np.arange(len(best_first))
    out = []
    for group in groups:
        key = group[org[best_first]] * width + dim[best_first]
        if len(key) and key.max() < 2**31:  # a stable sort of 32-bit keys is faster
            key = key.astype(np.int32)
        order = np.argsort(key, kind="stable")
        key, value = key[order], values[order]
        new_group = np.ones(len(order), dtype=bool)
        new_group[1:] = key[1:] != key[:-1]
        new_score = new_group.copy()
        new_score[1:] |= value[1:] != value[:-1]
        ranks = np.zeros(len(scores), dtype=np.int32)
        ranks[best_first[order]] = (
            np.maximum.accumulate(np.where(new_score, position, 0))
            - np.maximum.accumulate(np.where(new_group, position, 0))
            + 1
        )
        out.append(ranks)
    return out


def _bands(scores: np.ndarray, bands: Sequence[tuple[Any, float]]) -> np.ndarray:
    """The index of the first band (best first) whose minimum each score reaches, -1 for none."""
    out = np.full(len(scores), -1, dtype=np.int16)
    with np.errstate(invalid="ignore"):
        for index in reversed(range(len(bands))):  # the first band reached is written last
            out[scores >= bands[index][1]] = index
    return out


def _missing(tree: _Tree, order: np.ndarray) -> list[tuple[int, ...]]:
    """Per organization, the ids of the smallest MISSING_LISTED organizations of its subtree
    whose submission is missing (the 20 smallest of a subtree are among its children's)."""
    lists: list[list[int]] = [[] for _ in tree.units]
    ids = tree.ids.tolist()
    for i in np.flatnonzero(tree.status == 1).tolist():
        lists[i].append(ids[i])
    parent = tree.parent.tolist()
    for i in order.tolist():  # deepest first: a list is whole before its parent reads it
        mine = lists[i]
        if len(mine) > 1:
            mine = lists[i] = sorted(set(mine))[:MISSING_LISTED]
        if mine and parent[i] >= 0:
            lists[parent[i]].extend(mine)
    return [tuple(found) for found in lists]


def roll_up_arrays(
    units: Sequence[Unit],
    settings: Settings,
    bands: Bands,
    *,
    previous: Previous | Mapping[tuple[int, str], float | None] | None = None,
) -> Table:
    """Every organization's rows for one period, as `rollup.roll_up` makes them, as columns."""
    units = list(units)
    tree, owns = _tree(units, settings)
    n = len(units)
    codes = sorted({TOTAL, *(code for own in owns for code in own)} - {BONUS, PARTY})
    columns = [*codes, BONUS, PARTY]
    column_of = {code: j for j, code in enumerate(columns)}
    k, bonus, party = len(columns), column_of[BONUS], column_of[PARTY]

    # Own scores come with the same dimensions in the same order for most organizations (those
    # of one kind of subject): each such group is filled as one block.
    own = np.full((n, k), np.nan)
    alike: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, scores in enumerate(owns):
        alike[tuple(scores)].append(i)
    for keys, rows in alike.items():
        if keys:
            block = np.array([list(owns[i].values()) for i in rows], dtype=float)
            own[np.array(rows)[:, None], [column_of[key] for key in keys]] = block
    has_own = ~np.isnan(own)

    score = own.copy()
    present = has_own.copy()
    children = np.full((n, k), np.nan)
    fallback = np.zeros((n, k), dtype=bool)
    members = tree.people.copy()
    expected = tree.expected.copy()
    approved = tree.approved.copy()

    # Children by id (each parent's sums are then taken in id order), parents deepest first.
    child = np.flatnonzero(tree.parent >= 0)
    child = child[np.argsort(tree.ids[child], kind="stable")]
    parent_depth = tree.depth[tree.parent[child]]
    by_members = settings.children == MEMBERS
    share = settings.own_weight
    for depth in sorted(set(parent_depth.tolist()), reverse=True):
        c = child[parent_depth == depth]
        parents, p = np.unique(tree.parent[c], return_inverse=True)
        size = len(parents) * k
        flat = (p[:, None] * k + np.arange(k)).ravel()
        mask = present[c]
        mask[:, bonus] = present[c, 0]  # the bonus is mixed by exactly the total's weights
        kid_scores = np.where(mask, score[c], 0.0)
        kid_scores[:, bonus] = np.where(mask[:, bonus], np.nan_to_num(score[c, bonus]), 0.0)
        count = np.bincount(flat, mask.ravel(), size).reshape(-1, k)
        if by_members:
            weights = np.where(mask, members[c].astype(float)[:, None], 0.0)
            total_weight = np.bincount(flat, weights.ravel(), size).reshape(-1, k)
            total = np.bincount(flat, (weights * kid_scores).ravel(), size).reshape(-1, k)
            equal = (count > 0) & (total_weight <= 0)  # no members anywhere: equal weights
            if equal.any():
                plain = np.bincount(flat, kid_scores.ravel(), size).reshape(-1, k)
                total = np.where(equal, plain, total)
                total_weight = np.where(equal, count, total_weight)
            fallback[parents] = equal
        else:
            total_weight = count
            total = np.bincount(flat, kid_scores.ravel(), size).reshape(-1, k)
        having = count > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = round6(np.where(having, total / np.where(having, total_weight, 1.0), np.nan))
        mine = own[parents]
        both = having & has_own[parents]
        with np.errstate(invalid="ignore"):
            mixed = round6(np.where(both, share * mine + (1 - share) * mean, np.nan))
        score[parents] = np.where(both, mixed, np.where(has_own[parents], mine, mean))
        present[parents] = has_own[parents] | having
        children[parents] = mean
        members[parents] += np.bincount(p, members[c], len(parents)).astype(np.int64)
        expected[parents] += np.bincount(p, expected[c], len(parents)).astype(np.int64)
        approved[parents] += np.bincount(p, approved[c], len(parents)).astype(np.int64)

    # Rows: the total always, then each dimension with a score, by code; in the units' order.
    rows_of = present[:, : len(codes)].copy()
    rows_of[:, 0] = True
    org, dim = (index.astype(np.int32) for index in np.nonzero(rows_of))
    row_at = np.full(rows_of.shape, -1, dtype=np.int64)
    row_at[org, dim] = np.arange(len(org))
    row_score = score[org, dim]
    has_children = ~np.isnan(children[org, dim])
    row_own = has_own[org, dim]
    share_code = np.where(
        row_own & has_children,
        _SHARE_BOTH,
        np.where(row_own, _SHARE_OWN, _SHARE_CHILDREN),
    ).astype(np.int8)

    # The items of a row: its children with a score in its dimension, by id. The children are
    # in id order already: a stable sort by the parent's row keeps it within each row.
    with_item = present[child, : len(codes)]
    item_parent = row_at[tree.parent[child]][with_item]
    item_child = row_at[child][with_item]
    order = np.argsort(item_parent, kind="stable")
    item_parent, item_child = item_parent[order], item_child[order].astype(np.int32)
    del with_item, order
    parts_start = np.searchsorted(item_parent, np.arange(len(org) + 1))
    item_equal = fallback[org[item_parent], dim[item_parent]]
    del item_parent

    change = np.full(len(org), np.nan)
    if previous:
        if not isinstance(previous, Previous):
            previous = Previous.of(previous)
        before = _previous(previous, tree.ids, row_at, {code: j for j, code in enumerate(codes)})
        known = np.flatnonzero(~np.isnan(before) & ~np.isnan(row_score))
        change[known] = round6(row_score[known] - before[known])
    del row_at

    ranks_s, ranks_p = _ranks(
        [
            _groups([u.parent for u in units]),  # siblings: the roots among themselves (None)
            _groups([(u.root, u.kind, u.depth) for u in units]),  # peers
        ],
        org,
        dim,
        row_score,
    )

    with np.errstate(invalid="ignore", divide="ignore"):
        completeness = round6(approved / np.where(expected > 0, expected, 1))
    return Table(
        settings=settings,
        bands=bands,
        tree=tree,
        codes=codes,
        org=org,
        dim=dim,
        score=row_score,
        own_score=own[org, dim],
        children_score=children[org, dim],
        change=change,
        rank_siblings=ranks_s,
        rank_peers=ranks_p,
        grade=_bands(row_score, bands.grades),
        stars=_bands(row_score, bands.stars),
        members=members,
        expected=expected,
        approved=approved,
        completeness=np.where(expected > 0, completeness, np.nan),
        missing=_missing(tree, np.argsort(-tree.depth, kind="stable")),
        bonus=np.where(present[:, bonus], score[:, bonus], np.nan),
        party=np.where(present[:, party], score[:, party], np.nan),
        share=share_code,
        fallback=fallback[org, dim],
        parts_start=parts_start,
        item_row=item_child,
        item_equal=item_equal,
    )


def _previous(
    previous: Previous, ids: np.ndarray, row_at: np.ndarray, code_of: dict[str, int]
) -> np.ndarray:
    """The previous period's score of each row, NaN where there is none."""
    out = np.full(int(row_at.max()) + 1 if row_at.size else 0, np.nan)
    if not len(previous.organizations):
        return out
    orgs = np.asarray(previous.organizations, dtype=np.int64)
    scores = np.array([np.nan if s is None else s for s in previous.scores], dtype=float)
    names, inverse = np.unique(np.asarray(previous.dimensions, dtype=object), return_inverse=True)
    dims = np.array([code_of.get(name, -1) for name in names.tolist()], dtype=np.int64)[inverse]
    order = np.argsort(ids, kind="stable")
    where = np.searchsorted(ids[order], orgs)
    where = np.minimum(where, len(ids) - 1)
    found = (ids[order][where] == orgs) & (dims >= 0)
    rows = row_at[order[where[found]], dims[found]]
    known = rows >= 0
    out[rows[known]] = scores[found][known]
    return out
