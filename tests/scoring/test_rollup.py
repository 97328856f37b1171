"""The roll-up arithmetic on hand-made trees (pure: no database).

The tree, with own totals::

    G  group (nothing of its own expected)
    ├── A  committee       own 80, 2 people
    │   ├── A1 branch      own 90, 10 people
    │   └── A2 branch      own 60, 30 people
    └── B  committee       nothing of its own expected
        └── B1 branch      expected, not approved (missing), 5 people
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.scoring import rollup
from assessment.scoring.rollup import (
    BONUS,
    FLAG,
    MEMBERS,
    PARTY,
    TOTAL,
    Bands,
    Settings,
    Unit,
)

BANDS = Bands(
    grades=(("A", 90), ("B", 80), ("C", 60), ("D", 0)),
    stars=((5, 95), (4, 85), (3, 75), (2, 60), (1, 0)),
)
G, A, A1, A2, B, B1 = 1, 2, 3, 4, 5, 6


def tree(**own: dict[str, float] | None) -> list[Unit]:
    """The tree above; keyword arguments replace an organization's own scores."""
    scores = {"A": {TOTAL: 80.0}, "A1": {TOTAL: 90.0}, "A2": {TOTAL: 60.0}, "B1": None, **own}
    zero = {TOTAL: 0.0}
    return [
        Unit(G, None, G, "group", 0),
        Unit(A, G, G, "committee", 1, people=2, expected=1, own=scores["A"], zero=zero),
        Unit(A1, A, G, "branch", 2, people=10, expected=1, own=scores["A1"], zero=zero),
        Unit(A2, A, G, "branch", 2, people=30, expected=1, own=scores["A2"], zero=zero),
        Unit(B, G, G, "committee", 1),
        Unit(B1, B, G, "branch", 2, people=5, expected=1, own=scores["B1"], zero=zero),
    ]


def totals(rows: list[rollup.Row]) -> dict[int, rollup.Row]:
    return {row.organization: row for row in rows if row.dimension == TOTAL}


def run(units=None, **settings_: object) -> dict[int, rollup.Row]:
    return totals(list(rollup.roll_up(units or tree(), Settings(**settings_), BANDS)))


class TestScores:
    def test_a_leaf_scores_its_own_submission(self):
        rows = run()
        assert rows[A1].score == 90
        assert rows[A1].own_score == 90
        assert rows[A1].children_score is None

    def test_own_and_children_mix_by_the_own_weight(self):
        rows = run()
        assert rows[A].children_score == 75  # (90 + 60) / 2
        assert rows[A].score == pytest.approx(0.3 * 80 + 0.7 * 75)

    def test_without_an_own_submission_the_children_decide(self):
        rows = run()
        assert rows[G].own_score is None
        assert rows[G].score == pytest.approx((76.5 + 0) / 2)

    @pytest.mark.parametrize(("weight", "expected"), [(1.0, 80), (0.0, 75), (0.5, 77.5)])
    def test_the_own_weight_runs_from_children_only_to_own_only(self, weight, expected):
        assert run(own_weight=weight)[A].score == pytest.approx(expected)

    def test_children_weighted_by_their_subtrees_party_members(self):
        rows = run(children=MEMBERS)
        assert rows[A].children_score == pytest.approx((90 * 10 + 60 * 30) / 40)
        assert rows[A].members == 42
        a = 0.3 * 80 + 0.7 * 67.5
        assert rows[G].score == pytest.approx(round((a * 42 + 0 * 5) / 47, 6))
        assert rows[G].members == 47

    def test_members_weighting_without_members_falls_back_to_equal(self):
        units = [dataclasses.replace(u, people=0) for u in tree()]
        rows = list(rollup.roll_up(units, Settings(children=MEMBERS), BANDS))
        row = totals(rows)[A]
        assert row.children_score == 75
        assert row.explanation["children"]["weighting"] == "equal"

    def test_scores_are_rounded_to_six_decimals(self):
        rows = run(own_weight=1 / 3)
        assert rows[A].score == round(80 / 3 + (2 / 3) * 75, 6)


class TestMissing:
    def test_missing_counts_as_zero_by_default(self):
        rows = run()
        assert rows[B1].score == 0
        assert rows[B1].own_score == 0
        assert rows[B].score == 0
        assert not rows[G].flagged

    def test_flagged_missing_is_left_out_and_flagged_up_the_tree(self):
        rows = run(missing=FLAG)
        assert rows[B1].score is None
        assert rows[B].score is None
        assert rows[G].score == pytest.approx(76.5)  # B has nothing to average in
        assert [rows[o].flagged for o in (G, A, A1, B, B1)] == [True, False, False, True, True]

    def test_completeness_is_approved_over_expected_in_the_subtree(self):
        rows = run()
        assert (rows[G].approved, rows[G].expected, rows[G].completeness) == (3, 4, 0.75)
        assert rows[A].completeness == 1
        assert rows[B1].completeness == 0

    def test_an_organization_expecting_nothing_has_no_completeness(self):
        units = [u for u in tree() if u.id not in (B1,)]
        assert run(units)[B].completeness is None
        assert run(units)[B].score is None

    def test_the_total_row_names_what_is_missing(self):
        explanation = run()[G].explanation
        assert explanation["missing"] == {"mode": "zero", "count": 1, "organizations": [B1]}

    def test_the_missing_list_is_capped_but_the_count_is_not(self):
        leaves = [
            Unit(100 + n, G, G, "branch", 1, expected=1, zero={TOTAL: 0.0}) for n in range(30)
        ]
        row = run([Unit(G, None, G, "group", 0), *leaves])[G]
        assert row.explanation["missing"]["count"] == 30
        assert row.explanation["missing"]["organizations"] == list(
            range(100, 100 + rollup.MISSING_LISTED)
        )


class TestRanks:
    def test_competition_ranks_share_ties_and_skip(self):
        ranks = rollup.rank([("a", 90.0), ("b", 80.0), ("c", 80.0), ("d", 70.0), ("e", None)])
        assert ranks == {"a": 1, "b": 2, "c": 2, "d": 4, "e": None}

    def test_rank_among_siblings(self):
        rows = run()
        assert (rows[A1].rank_siblings, rows[A2].rank_siblings) == (1, 2)
        assert (rows[A].rank_siblings, rows[B].rank_siblings) == (1, 2)
        assert rows[G].rank_siblings == 1  # the only root

    def test_rank_among_peers_of_the_same_kind_and_level(self):
        rows = run()
        assert [rows[o].rank_peers for o in (A1, A2, B1)] == [1, 2, 3]
        assert [rows[o].rank_peers for o in (A, B)] == [1, 2]

    def test_no_score_no_rank(self):
        rows = run(missing=FLAG)
        assert rows[B1].rank_peers is None
        assert rows[B].rank_siblings is None


class TestRowsAndDimensions:
    def test_grade_and_stars_follow_the_bands(self):
        rows = run()
        assert (rows[A1].grade, rows[A1].stars) == ("A", 4)
        assert (rows[A].grade, rows[A].stars) == ("C", 3)
        assert (rows[B].grade, rows[B].stars) == ("D", 1)

    def test_change_since_the_previous_period(self):
        previous = {(A1, TOTAL): 85.0, (A, TOTAL): 80.0}
        rows = totals(list(rollup.roll_up(tree(), Settings(), BANDS, previous=previous)))
        assert rows[A1].change == 5
        assert rows[A].change == pytest.approx(-3.5)
        assert rows[A2].change is None

    def test_dimensions_roll_up_on_their_own(self):
        units = tree(
            A1={TOTAL: 90.0, "C1": 100.0, "S1": 50.0},
            A2={TOTAL: 60.0, "C1": 40.0},
        )
        rows = list(rollup.roll_up(units, Settings(), BANDS))
        by_key = {(r.organization, r.dimension): r for r in rows}
        assert by_key[(A, "C1")].children_score == 70
        assert by_key[(A, "C1")].score == 70  # A's own submission has no C1 share
        assert by_key[(A, "C1")].explanation["own"]["status"] == "not_applicable"
        assert by_key[(A, "S1")].children_score == 50  # only A1 is scored there
        assert (B, "C1") not in by_key

    def test_every_row_explains_itself(self):
        row = run()[A]
        assert row.explanation["own"] == {"status": "approved", "score": 80.0, "weight": 0.3}
        assert row.explanation["children"] == {
            "weighting": "equal",
            "weight": 0.7,
            "items": [[A1, 1.0, 90.0], [A2, 1.0, 60.0]],
        }
        assert row.explanation["settings"] == {
            "own_weight": 0.3,
            "children": "equal",
            "missing": "zero",
        }

    @pytest.mark.parametrize(
        "bad", [{"own_weight": 1.5}, {"children": "size"}, {"missing": "skip"}]
    )
    def test_settings_are_validated(self, bad):
        with pytest.raises(ValueError, match=next(iter(bad))):
            Settings(**bad)


def test_the_order_rows_are_read_in_changes_nothing():
    rows = sorted(rollup.roll_up(tree(), Settings(), BANDS), key=lambda r: r.organization)
    reversed_rows = sorted(
        rollup.roll_up(tree()[::-1], Settings(), BANDS), key=lambda r: r.organization
    )
    assert rows == reversed_rows


def _stored(rows) -> dict[int, rollup.Subtotal]:
    return rollup.subtotals(
        (
            r.organization,
            r.dimension,
            r.score,
            r.members,
            r.expected,
            r.approved,
            r.explanation.get("missing", {}).get("organizations"),
            r.explanation.get("bonus"),
            r.party_building,
        )
        for r in rows
    )


class TestBonus:
    """The bonus points within a total roll up with it, so a score above the full marks can be
    shown as its base and its bonus (issue 12, item 4)."""

    def with_bonus(self) -> list[Unit]:
        return tree(
            A={TOTAL: 80.0, BONUS: 0.0},
            A1={TOTAL: 101.0, BONUS: 1.0},
            A2={TOTAL: 60.0, BONUS: 0.0},
        )

    def test_a_leaf_keeps_its_own_bonus_in_the_total_row(self):
        rows = run(self.with_bonus())
        assert rows[A1].score == 101
        assert rows[A1].explanation["bonus"] == 1

    def test_a_parent_mixes_the_bonus_by_the_same_weights_as_the_total(self):
        rows = run(self.with_bonus())
        assert rows[A].explanation["bonus"] == pytest.approx(0.7 * 0.5)
        assert rows[A].score == pytest.approx(0.3 * 80 + 0.7 * 80.5)

    def test_the_bonus_is_no_dimension_row_and_has_no_rank(self):
        rows = list(rollup.roll_up(self.with_bonus(), Settings(), BANDS))
        assert {r.dimension for r in rows} == {TOTAL}

    def test_the_incremental_path_reads_the_bonus_back(self):
        before = self.with_bonus()
        after = [*before[:5], dataclasses.replace(before[5], own={TOTAL: 72.0, BONUS: 2.0})]
        result = _incremental(before, after, B1, Settings())
        full = {(r.organization, r.dimension): r for r in rollup.roll_up(after, Settings(), BANDS)}
        for row in result.rows:
            assert row.explanation == full[(row.organization, TOTAL)].explanation


class TestPartyBuilding:
    """Each total row carries the subtree's party building without business results (issue 16):
    every own figure rolled up by the same rules as the total, stored on the total row only."""

    def with_party(self) -> list[Unit]:
        return tree(
            A={TOTAL: 80.0, PARTY: 85.0},
            A1={TOTAL: 90.0, PARTY: 90.0},
            A2={TOTAL: 60.0, PARTY: 50.0},
        )

    def test_a_leaf_carries_its_own_party_building(self):
        assert run(self.with_party())[A1].party_building == 90

    def test_a_parent_rolls_it_up_like_the_total(self):
        rows = run(self.with_party())
        assert rows[A].party_building == pytest.approx(0.3 * 85 + 0.7 * 70)

    def test_a_missing_submission_counts_as_zero_or_is_left_out_as_the_total(self):
        units = [
            dataclasses.replace(u, zero={TOTAL: 0.0, PARTY: 0.0}) if u.expected else u
            for u in self.with_party()
        ]
        a = 0.3 * 85 + 0.7 * 70
        assert run(units)[G].party_building == pytest.approx((a + 0) / 2)
        assert run(units, missing=FLAG)[G].party_building == pytest.approx(a)

    def test_only_the_total_row_has_it_and_it_is_no_dimension(self):
        units = tree(A1={TOTAL: 90.0, PARTY: 88.0, "C1": 70.0})
        rows = list(rollup.roll_up(units, Settings(), BANDS))
        assert {r.dimension for r in rows} == {TOTAL, "C1"}
        assert all(r.party_building is None for r in rows if r.dimension != TOTAL)

    def test_units_results_are_mixed_into_it_as_into_the_total(self):
        units = tree(A1={TOTAL: 90.0, PARTY: 80.0})
        units[2] = dataclasses.replace(units[2], units={"member": (0.5, 60.0)})
        rows = run(units)
        assert rows[A1].score == pytest.approx(75)
        assert rows[A1].party_building == pytest.approx(70)

    def test_the_incremental_path_reads_it_back(self):
        before = self.with_party()
        after = [*before[:5], dataclasses.replace(before[5], own={TOTAL: 72.0, PARTY: 66.0})]
        result = _incremental(before, after, B1, Settings())
        full = {(r.organization, r.dimension): r for r in rollup.roll_up(after, Settings(), BANDS)}
        for row in result.rows:
            assert row.party_building == full[(row.organization, TOTAL)].party_building
        assert full[(G, TOTAL)].party_building is not None

    @pytest.mark.parametrize(
        ("total", "maximum", "points", "business_max", "expected"),
        [
            (80, 100, 10, 20, 87.5),  # (80 - 10) / (100 - 20)
            (80, 100, 0, 0, 80),  # no business results: the total itself
            (101, 100, 0, 0, 101),  # bonus stays in
            (20, 100, 20, 100, None),  # nothing but business: no party building
        ],
    )
    def test_a_subjects_own_figure(self, total, maximum, points, business_max, expected):
        assert rollup.party_building(total, maximum, points, business_max) == expected


def _chain_of(units: list[Unit], leaf: int) -> list[Unit]:
    by_id = {u.id: u for u in units}
    chain = [by_id[leaf]]
    while chain[-1].parent is not None:
        chain.append(by_id[chain[-1].parent])
    return chain[::-1]


def _incremental(before: list[Unit], after: list[Unit], changed: int, settings_: Settings):
    """What the incremental path computes from the rows stored before the change."""
    stored = _stored(rollup.roll_up(before, settings_, BANDS))
    chain = _chain_of(after, changed)
    chain_ids = {u.id for u in chain}
    children: dict[int | None, list[rollup.Subtotal]] = {}
    for unit in after:
        if unit.parent is None or unit.parent in chain_ids:
            children.setdefault(unit.parent, []).append(stored[unit.id])
    return rollup.roll_up_chain(chain, children, settings_, BANDS)


def _without_peer_ranks(row: rollup.Row) -> rollup.Row:
    return dataclasses.replace(row, rank_peers=None)


def test_the_incremental_path_matches_a_full_roll_up():
    after = tree(B1={TOTAL: 70.0})
    result = _incremental(tree(), after, B1, Settings())
    full = {(r.organization, r.dimension): r for r in rollup.roll_up(after, Settings(), BANDS)}
    assert [r.organization for r in result.rows] == [G, B, B1]
    for row in result.rows:
        assert _without_peer_ranks(row) == _without_peer_ranks(full[(row.organization, "")])
    for (org, dim), rank in result.sibling_ranks.items():
        assert full[(org, dim)].rank_siblings == rank


def test_an_organization_without_stored_rows_still_counts_for_its_parent():
    after = tree(B1={TOTAL: 70.0})
    stored = _stored(rollup.roll_up(tree(), Settings(), BANDS))
    children = {None: [stored[G]], G: [stored[A], stored[B]], B: []}  # B1 has no rows yet
    result = rollup.roll_up_chain(_chain_of(after, B1), children, Settings(), BANDS)
    rows = {r.organization: r for r in result.rows if r.dimension == TOTAL}
    assert rows[B].score == 70
    assert result.sibling_ranks[(B1, TOTAL)] == 1


@st.composite
def trees(draw):
    """Random trees of up to 25 organizations with random own scores, dimensions and people."""
    size = draw(st.integers(min_value=1, max_value=25))
    units: list[Unit] = []
    depth: dict[int, int] = {}
    for pk in range(1, size + 1):
        parent = None if pk == 1 else draw(st.integers(min_value=1, max_value=pk - 1))
        depth[pk] = 0 if parent is None else depth[parent] + 1
        expected = draw(st.integers(min_value=0, max_value=1))
        own = None
        if expected and draw(st.booleans()):
            own = {TOTAL: draw(st.floats(min_value=0, max_value=110))}
            if draw(st.booleans()):
                own["C1"] = draw(st.floats(min_value=0, max_value=100))
        units.append(
            Unit(
                pk,
                parent,
                1,
                draw(st.sampled_from(["committee", "branch"])),
                depth[pk],
                people=draw(st.integers(min_value=0, max_value=40)),
                expected=expected,
                own=own,
                zero={TOTAL: 0.0, "C1": 0.0},
            )
        )
    return units


@settings(max_examples=150, deadline=None)
@given(
    units=trees(),
    data=st.data(),
    settings_=st.builds(
        Settings,
        own_weight=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
        children=st.sampled_from(["equal", "members"]),
        missing=st.sampled_from(["zero", "flag"]),
    ),
)
def test_any_change_rolled_up_incrementally_equals_a_full_roll_up(units, data, settings_):
    changed = data.draw(st.sampled_from([u.id for u in units]))
    new_own = data.draw(
        st.none() | st.fixed_dictionaries({TOTAL: st.floats(min_value=0, max_value=100)})
    )
    after = [
        dataclasses.replace(u, own=new_own, expected=max(u.expected, int(new_own is not None)))
        if u.id == changed
        else u
        for u in units
    ]
    result = _incremental(units, after, changed, settings_)
    full = {(r.organization, r.dimension): r for r in rollup.roll_up(after, settings_, BANDS)}
    chain_ids = {u.id for u in _chain_of(after, changed)}
    assert {(r.organization, r.dimension) for r in result.rows} == {
        key for key in full if key[0] in chain_ids
    }
    for row in result.rows:
        assert _without_peer_ranks(row) == _without_peer_ranks(
            full[(row.organization, row.dimension)]
        )
    for key, rank in result.sibling_ranks.items():
        if key in full:
            assert full[key].rank_siblings == rank
