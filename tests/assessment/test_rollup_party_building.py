"""The roll-up stores each organization's party building without business results (issue 16):
what the effectiveness analysis compares with the business figures, at any level of the tree."""

import pytest

from assessment.models import Rollup, SubjectScore
from assessment.services import rollup as rollup_service
from tests.builders import scored_period
from tests.dashboards.insight_fixtures import business_framework, committee_values

pytestmark = pytest.mark.django_db


def _total_row(period, org) -> Rollup:
    return Rollup.objects.get(period=period, organization=org, dimension="")


@pytest.fixture
def period(tree):
    values = {
        tree.b: committee_values(0.8),
        tree.a: committee_values(0.4),
        tree.a1a: {"C1.01": 8, "C2.01": True, "C2.02": True},
        tree.a1b: {"C1.01": 2, "C2.01": False, "C2.02": True},
    }
    return scored_period(business_framework(), 2026, values)


def _own(period, org) -> float:
    score = SubjectScore.objects.get(period=period, organization=org)
    points, maximum = score.dimensions["B1"][0], score.dimensions["B1"][1]
    return (score.total - points) / (score.max - maximum) * 100


def test_a_committee_mixes_its_own_total_without_business_with_its_children(tree, period):
    assert _total_row(period, tree.b1).party_building == 0  # missing: counts as zero
    b = _total_row(period, tree.b)
    assert b.party_building == pytest.approx(0.3 * _own(period, tree.b) + 0.7 * 0, abs=1e-4)
    assert b.score != pytest.approx(b.party_building)  # business results are in the total


def test_a_branch_without_business_results_has_its_total(tree, period):
    row = _total_row(period, tree.a1a)
    assert row.party_building == pytest.approx(row.score)


def test_the_group_rolls_up_party_building_like_the_total(tree, period):
    a1 = (_total_row(period, tree.a1a).score + _total_row(period, tree.a1b).score) / 2
    a = 0.3 * _own(period, tree.a) + 0.7 * a1
    b = 0.3 * _own(period, tree.b) + 0.7 * 0
    assert _total_row(period, tree.group).party_building == pytest.approx((a + b) / 2, abs=1e-4)
    assert all(
        r.party_building is None for r in Rollup.objects.filter(period=period).exclude(dimension="")
    )


def test_an_approval_updates_it_up_the_chain_as_a_full_run_does(tree, period):
    full = dict(
        Rollup.objects.filter(period=period, dimension="").values_list(
            "organization_id", "party_building"
        )
    )
    Rollup.objects.filter(period=period, organization__in=[tree.group, tree.a]).update(
        party_building=None
    )
    rollup_service.update_chain(period, tree.a1a.pk)
    chain = dict(
        Rollup.objects.filter(period=period, dimension="").values_list(
            "organization_id", "party_building"
        )
    )
    assert chain == full
