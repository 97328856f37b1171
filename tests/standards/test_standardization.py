"""Branch standardization (党支部标准化规范化建设): the pure checklist, and the checklist a page
reads for a branch and period."""

import pytest

from assessment.scoring.spec.shape import StandardsShape
from assessment.scoring.text import Text
from standards import stars as rules
from standards.selectors import stars as selectors

from .framework import standards_framework
from .stars_builders import FULL, NOT_SET_UP, score_branches


@pytest.fixture
def standard():
    return StandardsShape.model_validate(standards_framework()["standards"]).standardization


NAMES = {"C1.02": Text("按期换届", "Elections on time"), "C1.01": Text("组织生活次数", "Meetings")}


def test_every_item_reaching_its_threshold_meets_the_standard(standard):
    result = rules.checklist(standard, {"C1.02": (1.0, "scored"), "C1.01": (0.6, "scored")}, NAMES)

    assert result.met
    assert [item.code for item in result.items] == ["setup", "life"]
    assert result.items[1].indicators[0].threshold == 0.6


def test_a_fraction_below_the_item_threshold_fails_the_item_and_the_standard(standard):
    result = rules.checklist(standard, {"C1.02": (1.0, "scored"), "C1.01": (0.5, "scored")}, NAMES)

    assert not result.met
    assert [item.code for item in result.unmet] == ["life"]
    check = result.items[1].indicators[0]
    assert (check.fraction, check.threshold, check.met) == (0.5, 0.6, False)


def test_a_no_on_a_yes_no_indicator_fails_its_item(standard):
    result = rules.checklist(standard, {"C1.02": (0.0, "scored"), "C1.01": (1.0, "scored")}, NAMES)

    assert [item.code for item in result.unmet] == ["setup"]


@pytest.mark.parametrize("status", ["missing", "invalid", "n/a"])
def test_an_indicator_not_scored_does_not_meet_its_item(standard, status):
    result = rules.checklist(standard, {"C1.02": (1.0, status), "C1.01": (1.0, "scored")}, NAMES)

    assert not result.items[0].met


def test_an_indicator_absent_from_the_score_does_not_meet_its_item(standard):
    result = rules.checklist(standard, {"C1.01": (1.0, "scored")}, NAMES)

    assert not result.met
    assert result.items[0].indicators[0].fraction is None


def test_the_result_is_plain_bilingual_data(standard):
    data = rules.checklist(standard, {"C1.02": (1.0, "scored")}, NAMES).to_dict()

    assert data["met"] is False
    assert data["items"][0]["name"] == {"zh": "组织设置规范", "en": "Set up as required"}
    assert data["items"][0]["indicators"][0]["name"] == {
        "zh": "按期换届",
        "en": "Elections on time",
    }


def test_the_checklist_of_a_scored_branch(std_period, tree, django_assert_max_num_queries):
    score_branches(std_period, {tree.a1a: FULL, tree.a1b: NOT_SET_UP})

    with django_assert_max_num_queries(3):
        met = selectors.checklist_of(std_period, tree.a1a)
        unmet = selectors.checklist_of(std_period, tree.a1b)

    assert met.met
    assert not unmet.met
    assert [item.code for item in unmet.unmet] == ["setup"]


def test_a_general_branch_has_a_checklist_too(std_period, tree):
    score_branches(std_period, {tree.a1: FULL})

    assert selectors.checklist_of(std_period, tree.a1).met


def test_no_checklist_for_a_kind_outside_the_standard_or_without_a_score(std_period, tree):
    score_branches(std_period, {tree.a: FULL})

    assert selectors.checklist_of(std_period, tree.a) is None
    assert selectors.checklist_of(std_period, tree.b1) is None
