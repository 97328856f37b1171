"""A full roll-up stores exactly the rows of the pure roll-up, on PostgreSQL (COPY fed whole
columns of text) and on SQLite alike: every field, the explanation, NULLs, the empty grade.

The roll-up is computed as arrays (`scoring/rollup_arrays.py`); the pure `rollup.roll_up` over
the same units is the reference, as the incremental path after an approval still runs it.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.choices import SubmissionState
from assessment.models import Rollup
from assessment.scoring import rollup as pure_rollup
from assessment.selectors import engine_framework
from assessment.services import rollup
from organizations.models import Organization
from tests.builders import recompute
from tests.factories import PeriodFactory, PersonFactory, RollupSettingsFactory

from .test_scores_support import (
    FULL,
    WEAK,
    _peer_ranks_at_once,  # noqa: F401  (an autouse fixture)
    set_values,
    submission_of,
)

FIELDS = (
    "organization_id",
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
    "party_building",
)


def stored(period) -> dict[tuple[int, str], tuple]:
    return {
        (row[0], row[1]): row for row in Rollup.objects.filter(period=period).values_list(*FIELDS)
    }


def expected(period) -> dict[tuple[int, str], tuple]:
    """The pure roll-up of the period's units, as the rows would be stored."""
    spec = engine_framework(period.framework)
    units = rollup._units(
        period, spec, rollup._org_rows(Organization.objects.order_by()), only=None
    )
    rows = pure_rollup.roll_up(
        units,
        rollup.settings_for(period.framework),
        rollup.bands_of(spec),
        previous=rollup._previous_scores(period),
    )
    out = {}
    for r in rows:
        values = tuple(getattr(r, name.removesuffix("_id")) for name in FIELDS)
        values = (*values[:13], r.grade or "", *values[14:])  # no grade is stored as ""
        out[(r.organization, r.dimension)] = values
    return out


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("children", "missing", "own_weight"), [("equal", "zero", 0.3), ("members", "flag", 0.25)]
)
def test_the_stored_rows_are_the_pure_roll_ups(
    period, tree, published_framework, children, missing, own_weight, monkeypatch
):
    before = PeriodFactory(framework=published_framework, year=2025)
    set_values(submission_of(before, tree.a1a), WEAK)
    set_values(submission_of(before, tree.b1), FULL)
    recompute(before)
    PersonFactory.create_batch(2, organization=tree.a1b)
    RollupSettingsFactory(
        framework_code=published_framework.code,
        children=children,
        missing=missing,
        own_weight=own_weight,
    )
    set_values(submission_of(period, tree.a1a), FULL)
    set_values(submission_of(period, tree.a1b), WEAK)
    set_values(submission_of(period, tree.b1), {"C1.01": 3}, state=SubmissionState.DRAFT)
    with monkeypatch.context() as patched:
        patched.setattr(rollup, "OWN_BATCH", 1)  # the subject scores read one batch at a time
        recompute(period)
    rows = stored(period)
    assert rows == expected(period)  # the scores read in one batch
    assert len(rows) > len(Organization.objects.all())  # totals and dimensions
    assert any(row[12] is not None for row in rows.values())  # a change
    assert any(row[3] is None for row in rows.values())  # a NULL


SHARE = st.none() | st.floats(min_value=0, max_value=1) | st.sampled_from([0, 1, 0.5, 1 / 3])
DIMENSIONS = st.dictionaries(
    st.sampled_from(["C1", "C2", "G1", "B1"]),
    st.tuples(st.floats(0, 50) | st.none(), st.floats(0, 50) | st.none(), SHARE).map(list),
)


@settings(max_examples=200, deadline=None)
@given(
    scores=st.lists(
        st.tuples(st.floats(0, 120), DIMENSIONS, st.floats(0, 5), st.none() | st.floats(1, 120)),
        max_size=8,
    ),
    total_points=st.sampled_from([100.0, 1000.0, 37.5, 120.0]),
)
def test_the_own_scores_of_many_subjects_are_each_ones(scores, total_points):
    """The full roll-up scales every share as one array: the same floats as one by one."""
    many = rollup.own_scores_of(scores, total_points, business=["B1"])
    one_by_one = [
        rollup.own_scores(t, d, total_points, b, maximum=m, business=["B1"])
        for t, d, b, m in scores
    ]
    assert repr(many) == repr(one_by_one)
