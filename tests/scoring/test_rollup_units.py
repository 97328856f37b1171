"""Units (leading groups, departments, members, staff) weighed into their organization's own
total before it rolls up, with the weights the framework sets (none by default)."""

import pytest

from assessment.scoring import rollup
from assessment.scoring.rollup import TOTAL, Bands, Settings, Unit

BANDS = Bands(grades=(("A", 90), ("C", 0)), stars=((5, 90), (1, 0)))
ZERO = {TOTAL: 0.0}


def totals(units):
    rows = rollup.roll_up(units, Settings(own_weight=0.5), BANDS)
    return {row.organization: row for row in rows if row.dimension == TOTAL}


def test_blend_gives_each_kind_its_weight_and_the_own_total_the_rest():
    units = {"party_member": (0.2, 50.0), "leading_group": (0.1, 100.0)}
    assert rollup.blend(80.0, units) == pytest.approx(0.7 * 80 + 0.2 * 50 + 0.1 * 100)


def test_without_units_the_own_total_stands():
    assert rollup.blend(80.0, {}) == 80.0


def test_an_organizations_units_move_its_own_score_and_its_parents():
    plain = [
        Unit(1, None, 1, "committee", 0),
        Unit(2, 1, 1, "branch", 1, expected=1, own={TOTAL: 80.0}, zero=ZERO),
    ]
    weighed = [plain[0], Unit(**{**_fields(plain[1]), "units": {"party_member": (0.5, 60.0)}})]
    before, after = totals(plain), totals(weighed)
    assert before[2].own_score == 80
    assert after[2].own_score == 70  # half the branch's own 80, half its members' mean 60
    assert after[1].score == 70  # the committee has no own score: its child's score
    explanation = after[2].explanation["own"]
    assert explanation["alone"] == 80
    assert explanation["units"] == {"party_member": {"weight": 0.5, "score": 60.0}}


def test_units_do_not_stand_in_for_a_missing_own_submission():
    unit = Unit(2, None, 2, "branch", 0, expected=1, own=None, zero=ZERO, units={"x": (0.5, 90.0)})
    row = totals([unit])[2]
    assert row.own_score == 0  # missing counts as zero, the units do not replace it
    assert "units" not in row.explanation["own"]


def _fields(unit: Unit) -> dict:
    return {name: getattr(unit, name) for name in unit.__dataclass_fields__}
