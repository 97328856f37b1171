"""The seven-good evaluation, without a database: criteria met or short, required indicators,
vetoes, the indicators that held a criterion back, and the sentences in both languages."""

import pytest

from assessment.scoring.spec import parse_framework
from assessment.scoring.spec.shape import StandardsShape
from standards.seven_good import evaluate, meets, standards_for

from .framework import standards_framework


@pytest.fixture(scope="module")
def framework():
    return parse_framework(standards_framework())


@pytest.fixture(scope="module")
def organization_standard():
    shape = StandardsShape.model_validate(standards_framework()["standards"])
    (standard,) = standards_for(shape, "branch")
    return standard


def dims(s21: tuple[float, float], s22: tuple[float, float]) -> dict:
    """Packed dimensions of an organization: S2.1 and S2.2 hold `also` points only."""
    points, most = s21[0] + s22[0], s21[1] + s22[1]
    return {
        "S2": [0.0, 0.0, points, most, 0.0, points / most],
        "S2.1": [0.0, 0.0, s21[0], s21[1], 0.0, s21[0] / s21[1]],
        "S2.2": [0.0, 0.0, s22[0], s22[1], 0.0, s22[0] / s22[1]],
    }


def ind(points: float, most: float, status: str = "scored", triggered: bool = False) -> list:
    fraction = None if status != "scored" or not most else points / most
    return [points, most, fraction, status, False, triggered]


GOOD = {
    "C1.01": ind(36, 40),
    "C1.02": ind(30, 30),
    "C1.03": ind(27, 30),
    "C1.09": ind(0, 0),
}


def test_standards_apply_by_subject_kind():
    shape = StandardsShape.model_validate(standards_framework()["standards"])
    assert [s.code for s in standards_for(shape, "committee")] == ["party_organization"]
    assert [s.code for s in standards_for(shape, "party_member")] == ["party_member"]
    assert standards_for(shape, "group") == ()


def test_a_subject_reaching_every_threshold_meets_the_standard(framework, organization_standard):
    result = evaluate(
        framework, organization_standard, dimensions=dims((36, 40), (57, 60)), indicators=GOOD
    )
    assert result.met
    assert [c.met for c in result.criteria] == [True, True]
    first = result.criteria[0]
    assert (first.dimension, first.share, first.threshold, first.short_by) == ("S2.1", 0.9, 0.8, 0)
    assert first.name.zh == "组织生活好"
    assert result.explanation.zh == "达到七好党组织标准：2 项标准全部达到。"
    assert first.explanation.zh == "S2.1 组织生活好：得分率 90%，达到标准 80%。"
    assert first.explanation.en == (
        "S2.1 Regular life: 90% of its points, reaching the standard of 80%."
    )


def test_a_share_below_the_threshold_says_by_how_much(framework, organization_standard):
    indicators = {**GOOD, "C1.01": ind(28, 40)}
    result = evaluate(
        framework, organization_standard, dimensions=dims((28, 40), (57, 60)), indicators=indicators
    )
    assert not result.met
    short = result.criteria[0]
    assert not short.met
    assert short.share == 0.7
    assert short.short_by == 10
    assert [h.code for h in short.held_back] == ["C1.01"]
    assert short.explanation.zh == (
        "S2.1 组织生活好：得分率 70%，低于标准 80%（差 10 个百分点）；"
        "主要失分：C1.01 组织生活次数（失 12 分，满分 40 分）。"
    )
    assert short.explanation.en == (
        "S2.1 Regular life: 70% of its points, below the standard of 80% "
        "(10 percentage points short); most points lost: C1.01 Meetings held "
        "(12 of 40 points lost)."
    )
    assert result.explanation.zh == "未达到七好党组织标准：1 项未达到（S2.1）。"
    assert "1 of 2 criteria not met (S2.1)" in result.explanation.en


def test_a_criterion_threshold_overrides_the_standard(framework, standards_doc_custom):
    shape = StandardsShape.model_validate(standards_doc_custom["standards"])
    (standard,) = standards_for(shape, "branch")
    result = evaluate(
        parse_framework(standards_doc_custom),
        standard,
        dimensions=dims((36, 40), (57, 60)),
        indicators=GOOD,
    )
    assert result.criteria[0].threshold == 0.95
    assert not result.criteria[0].met
    assert result.criteria[0].short_by == 5


@pytest.fixture
def standards_doc_custom():
    doc = standards_framework()
    doc["standards"]["seven_good"][0]["criteria"][0]["min_share"] = 0.95
    return doc


def test_a_required_indicator_missing_fails_its_criterion(framework, organization_standard):
    indicators = {**GOOD, "C1.02": ind(0, 30, status="missing")}
    result = evaluate(
        framework, organization_standard, dimensions=dims((36, 40), (57, 60)), indicators=indicators
    )
    criterion = result.criteria[1]
    assert not criterion.met
    assert criterion.short_by == 0
    assert [(r.code, r.missing) for r in criterion.required_failed] == [("C1.02", True)]
    assert "必备指标未达标：C1.02 按期换届（缺少数据）" in criterion.explanation.zh
    assert "required indicators not met: C1.02 Elections on time (no value)" in (
        criterion.explanation.en
    )


def test_a_required_indicator_below_the_threshold_fails(framework, organization_standard):
    indicators = {**GOOD, "C1.02": ind(15, 30)}
    result = evaluate(
        framework, organization_standard, dimensions=dims((36, 40), (57, 60)), indicators=indicators
    )
    (failure,) = result.criteria[1].required_failed
    assert failure.fraction == 0.5
    assert not result.met


def test_a_veto_fails_its_criterion_and_the_standard(framework, organization_standard):
    indicators = {**GOOD, "C1.09": ind(0, 0, triggered=True)}
    result = evaluate(
        framework,
        organization_standard,
        dimensions=dims((36, 40), (57, 60)),
        indicators=indicators,
        vetoes=["C1.09"],
    )
    assert not result.met
    assert result.vetoes == ("C1.09",)
    assert result.criteria[0].met  # the veto is counted in S2.2, not S2.1
    assert result.criteria[1].veto == "C1.09"
    assert not result.criteria[1].met
    assert "一票否决：C1.09 严重违纪（一票否决）已触发" in result.criteria[1].explanation.zh
    assert "一票否决：C1.09" in result.explanation.zh


def test_held_back_lists_the_most_points_lost_first(framework, organization_standard):
    indicators = {**GOOD, "C1.02": ind(20, 30), "C1.03": ind(5, 30)}
    result = evaluate(
        framework, organization_standard, dimensions=dims((36, 40), (25, 60)), indicators=indicators
    )
    held = result.criteria[1].held_back
    assert [(h.code, h.lost) for h in held] == [("C1.03", 25), ("C1.02", 10)]
    assert "C1.09" not in [h.code for h in held]  # a veto loses no points


def test_nothing_scored_is_not_met(framework, organization_standard):
    result = evaluate(framework, organization_standard, dimensions={}, indicators={})
    assert not result.met
    assert all(c.share is None and c.short_by == 80 for c in result.criteria)
    assert "没有得分数据" in result.criteria[0].explanation.zh


def test_the_result_is_plain_data(framework, organization_standard):
    result = evaluate(
        framework, organization_standard, dimensions=dims((36, 40), (57, 60)), indicators=GOOD
    )
    data = result.to_dict()
    assert data["met"] is True
    assert data["standard"] == "party_organization"
    assert data["criteria"][0]["name"] == {"zh": "组织生活好", "en": "Regular life"}
    assert set(data["criteria"][0]) >= {"share", "threshold", "short_by", "held_back", "veto"}


@pytest.mark.parametrize(
    ("s21", "s22", "changes", "vetoes"),
    [
        ((36, 40), (57, 60), {}, []),
        ((28, 40), (57, 60), {"C1.01": ind(28, 40)}, []),
        ((36, 40), (57, 60), {"C1.02": ind(0, 30, status="missing")}, []),
        ((36, 40), (57, 60), {"C1.02": ind(15, 30)}, []),
        ((36, 40), (57, 60), {"C1.09": ind(0, 0, triggered=True)}, ["C1.09"]),
    ],
)
def test_meets_agrees_with_the_evaluation(
    framework, organization_standard, s21, s22, changes, vetoes
):
    scored = {
        "dimensions": dims(s21, s22),
        "indicators": {**GOOD, **changes},
        "vetoes": vetoes,
    }
    assert meets(framework, organization_standard, **scored) == (
        evaluate(framework, organization_standard, **scored).met
    )
