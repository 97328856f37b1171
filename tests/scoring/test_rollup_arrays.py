"""The roll-up as arrays gives exactly the rows of the pure roll-up (pure: no database).

`rollup_arrays.roll_up_arrays` is what a full recompute runs; `rollup.roll_up` is the reference
(and what the incremental path runs after one approval). On generated trees — one to five levels,
several roots, any fan-out, missing submissions counted as zero or flagged, subtrees without party
members under either weighting, units mixed into the own total, the previous period's scores, and
scores drawn from a small pool so ranks tie — every row is compared field by field with its
Python type (80.0 is not 80, -0.0 is not 0.0) and its explanation as the JSON text the writer
stores, byte for byte.
"""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.scoring import rollup
from assessment.scoring.rollup import BONUS, EQUAL, FLAG, MEMBERS, PARTY, TOTAL, ZERO, Bands, Unit
from assessment.scoring.rollup_arrays import Previous, float_texts, roll_up_arrays, round6

BANDS = Bands(
    grades=(("A", 90), ("B", 80.5), ("C", 60), ("D", 0)),
    stars=((5, 95.0), (4, 85), (3, 75), (2, 60), (1, 0)),
)
CODES = ("C1", "C2", "B10", "b2")
KINDS = ("committee", "branch", "group")
# Scores from a pool tie often (ranks share them); the others have many decimals, so the rounding
# at each level matters, and the tiny ones are written by orjson unlike repr (1e-05, 1e-07).
POOL = (0.0, 60.0, 75.5, 80.0, 90.25, 100.0, 1e-05, 5e-07)
SCORES = st.one_of(
    st.sampled_from(POOL),
    st.floats(min_value=0, max_value=110, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=110_000_000).map(lambda n: n / 1e6),
)


def _fields(row: rollup.Row) -> tuple:
    """Every field but the explanation, each with its type: repr tells 80 from 80.0, -0.0 from
    0.0 and None from 0."""
    return tuple(
        repr(getattr(row, name))
        for name in (
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
            "party_building",
        )
    )


def assert_same_rows(units, settings_, bands=BANDS, previous=None) -> int:
    pure = list(rollup.roll_up(units, settings_, bands, previous=previous))
    table = roll_up_arrays(units, settings_, bands, previous=previous)
    assert len(table) == len(pure)
    texts = table.explanations(0, len(table))
    for made, expected, text in zip(table.rows(), pure, texts, strict=True):
        assert _fields(made) == _fields(expected)
        assert text == orjson.dumps(expected.explanation).decode()
        assert made.explanation == expected.explanation
    # In chunks, as the writer asks for them (rows and items together), the same texts.
    ranges = list(table.chunks(7))
    bounds = [0, *(stop for _start, stop in ranges)]
    assert ranges == list(itertools.pairwise(bounds))
    assert bounds[-1] == len(table)
    weight = np.arange(len(table) + 1) + table.parts_start
    assert all(stop == start + 1 or weight[stop] - weight[start] <= 7 for start, stop in ranges)
    assert [t for start, stop in ranges for t in table.explanations(start, stop)] == texts
    return len(pure)


@st.composite
def trees(draw) -> list[Unit]:
    """A forest of one to three roots, one to five levels deep, as many as 80 organizations with
    ids in no order of the tree, given in a shuffled order."""
    levels = draw(st.integers(min_value=1, max_value=5))
    roots = draw(st.integers(min_value=1, max_value=3))
    budget = draw(st.integers(min_value=roots, max_value=80))
    ids = draw(st.permutations(range(1, budget + 1)))
    kinds = {k: draw(st.sampled_from([None, *CODES])) for k in KINDS}  # a kind's extra dimension
    next_id = iter(ids)
    nodes: list[tuple[int, int | None, int, int]] = []  # (id, parent, root, depth)
    frontier = []
    for _ in range(roots):
        pk = next(next_id)
        nodes.append((pk, None, pk, 0))
        frontier.append((pk, pk, 0))
    while frontier and len(nodes) < budget:
        pk, root, depth = frontier.pop(0)
        if depth + 1 >= levels:
            continue
        for _ in range(draw(st.integers(min_value=0, max_value=6))):
            if len(nodes) >= budget:
                break
            child = next(next_id)
            nodes.append((child, pk, root, depth + 1))
            frontier.append((child, root, depth + 1))
    with_units = draw(st.booleans())
    units = []
    for pk, parent, root, depth in nodes:
        kind = draw(st.sampled_from(KINDS))
        expected = draw(st.sampled_from([0, 1, 1]))
        approved = draw(st.booleans()) if expected else draw(st.integers(0, 5)) == 0
        own = None
        if approved:
            own = {TOTAL: draw(SCORES)}
            if draw(st.booleans()):
                own[BONUS] = draw(st.sampled_from([0.0, 0.5, 1.0, 2.25]))
            if draw(st.booleans()):
                own[PARTY] = draw(SCORES)
            for code in draw(st.lists(st.sampled_from(CODES), max_size=3, unique=True)):
                own[code] = draw(SCORES)
        zero = draw(
            st.sampled_from(
                [
                    None,
                    {TOTAL: 0.0, BONUS: 0.0},
                    {
                        TOTAL: 0.0,
                        BONUS: 0.0,
                        PARTY: 0.0,
                        "C1": 0.0,
                        **({kinds[kind]: 0.0} if kinds[kind] else {}),
                    },
                ]
            )
        )
        mixed = None
        if with_units and own is not None and draw(st.booleans()):
            mixed = {
                "party_member": (draw(st.sampled_from([0.2, 0.25, 0.5])), draw(SCORES)),
                **({"staff": (0.1, draw(SCORES))} if draw(st.booleans()) else {}),
            }
        units.append(
            Unit(
                pk,
                parent,
                root,
                kind,
                depth,
                people=draw(st.sampled_from([0, 0, 0, 1, 2, 7])),
                expected=expected,
                own=own,
                zero=zero if expected else None,
                units=mixed,
            )
        )
    return draw(st.permutations(units))


SETTINGS = st.builds(
    rollup.Settings,
    own_weight=st.one_of(
        st.sampled_from([0.0, 0.3, 0.25, 0.5, 1.0, 0, 1]),
        st.floats(min_value=0, max_value=1, allow_nan=False),
    ),
    children=st.sampled_from([EQUAL, MEMBERS]),
    missing=st.sampled_from([ZERO, FLAG]),
)


@settings(max_examples=400, deadline=None)
@given(units=trees(), settings_=SETTINGS, data=st.data())
def test_the_arrays_give_exactly_the_rows_of_the_pure_roll_up(units, settings_, data):
    previous = None
    if data.draw(st.booleans()):
        previous = {
            (unit.id, code): data.draw(st.none() | SCORES)
            for unit in units
            for code in (TOTAL, *CODES, "gone")
            if data.draw(st.booleans())
        }
    assert_same_rows(units, settings_, previous=previous)


@settings(max_examples=50, deadline=None)
@given(units=trees(), settings_=SETTINGS)
def test_the_previous_scores_given_as_columns_are_the_mapping(units, settings_):
    previous = {(unit.id, TOTAL): 50.0 for unit in units[::2]}
    by_mapping = roll_up_arrays(units, settings_, BANDS, previous=previous)
    by_columns = roll_up_arrays(units, settings_, BANDS, previous=Previous.of(previous))
    assert np.array_equal(by_mapping.change, by_columns.change, equal_nan=True)


def test_a_big_seeded_tree_with_every_case():
    """One tree of 3,000 organizations (5 levels, fan-out 5 to 14): the sums of many children."""
    rng = random.Random(19)
    units: list[Unit] = []
    ids = rng.sample(range(1, 100_000), 3000)
    frontier = [(ids[0], None, 0)]
    taken = 1
    while frontier and taken < len(ids):
        parent, _, depth = frontier.pop(0)
        for _ in range(rng.randint(5, 14) if depth < 4 else 0):
            if taken >= len(ids):
                break
            frontier.append((ids[taken], parent, depth + 1))
            units.append(_unit(rng, ids[taken], parent, ids[0], depth + 1))
            taken += 1
    units.append(_unit(rng, ids[0], None, ids[0], 0))
    assert len(units) == 3000
    previous = {(u.id, TOTAL): rng.choice([None, 70.0, rng.uniform(0, 100)]) for u in units}
    for own_weight, children, missing in [(0.3, EQUAL, ZERO), (0.25, MEMBERS, FLAG)]:
        settings_ = rollup.Settings(own_weight=own_weight, children=children, missing=missing)
        assert assert_same_rows(units, settings_, previous=previous) > 3 * 3000


def _unit(rng: random.Random, pk: int, parent: int | None, root: int, depth: int) -> Unit:
    approved = rng.random() < 0.8
    own = None
    if approved:
        own = {TOTAL: rng.choice([80.0, rng.uniform(0, 105)]), BONUS: rng.choice([0.0, 1.5])}
        own.update((code, round(rng.uniform(0, 30), rng.randint(0, 9))) for code in CODES)
        own[PARTY] = rng.uniform(0, 100)
    return Unit(
        pk,
        parent,
        root,
        rng.choice(KINDS),
        depth,
        people=rng.choice([0, 0, 3, 12]),
        expected=1,
        own=own,
        zero={TOTAL: 0.0, BONUS: 0.0, PARTY: 0.0, **dict.fromkeys(CODES, 0.0)},
    )


def test_no_organizations_no_rows():
    table = roll_up_arrays([], rollup.Settings(), BANDS)
    assert len(table) == 0
    assert list(table.rows()) == []


@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=False, allow_infinity=False, min_value=-1e13, max_value=1e13),
            st.integers(min_value=-(10**9), max_value=10**9).map(lambda n: (n + 0.5) / 1e6),
            st.integers(min_value=0, max_value=2**20).map(lambda n: n / 2**20),
        ),
        max_size=50,
    )
)
def test_round6_rounds_as_python_does(values):
    got = round6(np.array(values, dtype=float)).tolist()
    assert [repr(x) for x in got] == [repr(round(x, 6)) for x in values]


def test_round6_on_the_halves_numpy_gets_wrong():
    # 0.0000125 × 10⁶ is 12.499999999999998 in floats but 12.5000000000000003 exactly (and so on).
    values = [0.0000125, 2.675e-06, 1.0000005, 0.0078125, 1e300, -2.5e-06, math.nan]
    got = round6(np.array(values))
    assert [repr(x) for x in got.tolist()[:-1]] == [repr(round(x, 6)) for x in values[:-1]]
    assert math.isnan(got[-1])


@given(st.lists(st.floats(allow_infinity=False), max_size=30))
def test_float_texts_are_orjsons(values):
    texts = float_texts(np.array(values, dtype=float))
    assert texts == [orjson.dumps(None if x != x else x).decode() for x in values]


@pytest.mark.parametrize("children", [EQUAL, MEMBERS])
def test_a_lone_organization_without_anything(children):
    units = [Unit(1, None, 1, "branch", 0)]
    assert assert_same_rows(units, rollup.Settings(children=children)) == 1


def test_only_a_unit_kinds_name_can_put_a_backslash_in_an_explanation():
    """The writer doubles backslashes for COPY only when a table says it has some."""
    plain = Unit(
        1, None, 1, "branch", 0, expected=1, own={TOTAL: 80.0}, units={"staff": (0.2, 5.0)}
    )
    odd = Unit(1, None, 1, "branch", 0, expected=1, own={TOTAL: 80.0}, units={'a"b': (0.2, 5.0)})
    assert not roll_up_arrays([plain], rollup.Settings(), BANDS).escaped
    table = roll_up_arrays([odd], rollup.Settings(), BANDS)
    assert table.escaped
    assert '"a\\"b"' in table.explanations(0, 1)[0]
    assert assert_same_rows([odd], rollup.Settings()) == 1
