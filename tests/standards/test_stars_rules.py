"""The pure rules of star-rated branches: the band, the entry conditions, the change limit from
last year with its veto exception, the quotas, and the steps in both languages."""

import pytest

from assessment.scoring.spec.shape import StandardsShape
from assessment.scoring.text import Text
from standards import stars as rules
from standards.config import quota_size

from .framework import standards_framework


@pytest.fixture
def stars():
    return StandardsShape.model_validate(standards_framework()["standards"]).stars


def inputs(**fields) -> rules.StarInputs:
    return rules.StarInputs(**{"score": 88.5, "band_stars": 4, **fields})


def zh(proposal: rules.Proposal) -> list[str]:
    return [step.zh for step in proposal.steps]


def en(proposal: rules.Proposal) -> list[str]:
    return [step.en for step in proposal.steps]


def test_the_band_gives_the_stars_when_every_condition_is_met(stars):
    proposal = rules.propose(stars, inputs())

    assert proposal.stars == 4
    assert zh(proposal)[0] == "得分 88.5，对应 4 星"
    assert en(proposal)[0] == "Score 88.5: 4 stars"
    assert "入选条件均满足" in zh(proposal)


def test_standardization_not_met_caps_the_stars(stars):
    proposal = rules.propose(stars, inputs(band_stars=5, score=97, standardization=False))

    assert proposal.stars == 2
    assert proposal.conditions["standardization"] is False
    assert "未达到标准化规范化要求，最高 2 星" in zh(proposal)
    assert "Standardization not met: at most 2 stars" in en(proposal)


def test_incomplete_data_caps_the_stars(stars):
    proposal = rules.propose(stars, inputs(complete=False, missing=3))

    assert proposal.stars == 2
    assert "数据不完整（缺 3 项），最高 2 星" in zh(proposal)


def test_a_submission_not_approved_is_incomplete(stars):
    proposal = rules.propose(stars, inputs(complete=False))

    assert proposal.stars == 2
    assert "The submission is not approved: at most 2 stars" in en(proposal)


def test_a_veto_caps_the_band_and_fails_the_entry_conditions(stars):
    proposal = rules.propose(stars, inputs(vetoes=("C1.09",), veto_cap=1))

    assert proposal.stars == 1
    assert proposal.vetoed
    assert proposal.conditions["no_veto"] is False
    assert "一票否决（C1.09）：最高 1 星" in zh(proposal)


def test_a_condition_the_framework_does_not_require_is_not_checked(standards_doc):
    standards_doc["standards"]["stars"]["conditions"] = ["no_veto"]
    shape = StandardsShape.model_validate(standards_doc["standards"]).stars

    proposal = rules.propose(shape, inputs(standardization=False))

    assert proposal.stars == 4
    assert proposal.conditions == {"no_veto": True}


def test_at_most_one_star_up_from_last_year(stars):
    proposal = rules.propose(stars, inputs(band_stars=5, score=96, previous=3))

    assert proposal.stars == 4
    assert "上年 3 星，本年最多升 1 星：4 星" in zh(proposal)
    assert "3 stars last year, up by at most 1: 4 stars" in en(proposal)


def test_at_most_one_star_down_from_last_year(stars):
    proposal = rules.propose(stars, inputs(band_stars=2, score=65, previous=4))

    assert proposal.stars == 3
    assert "上年 4 星，本年最多降 1 星：3 星" in zh(proposal)
    assert "4 stars last year, down by at most 1: 3 stars" in en(proposal)


def test_after_a_veto_the_fall_is_not_limited(stars):
    proposal = rules.propose(stars, inputs(previous=5, vetoes=("C1.09",), veto_cap=2))

    assert proposal.stars == 2
    assert "一票否决：不受升降一星限制" in zh(proposal)
    assert "Vetoed: the fall is not limited to 1 star" in en(proposal)


def test_the_fall_limit_never_lifts_above_the_entry_conditions(stars):
    proposal = rules.propose(
        stars, inputs(band_stars=5, score=96, previous=5, standardization=False)
    )

    assert proposal.stars == 2
    assert "上年 5 星，但入选条件限定最高 2 星：2 星" in zh(proposal)


def test_the_fall_limit_lifts_up_to_the_entry_cap(stars):
    proposal = rules.propose(stars, inputs(band_stars=1, score=40, previous=5, complete=False))

    assert proposal.stars == 2


def test_no_score_no_stars(stars):
    proposal = rules.propose(stars, inputs(score=None, band_stars=None))

    assert proposal.stars is None
    assert en(proposal) == ["No score: no stars proposed"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, (0, 5)),
        ({"previous": 4}, (3, 5)),
        ({"previous": 2}, (1, 3)),
        ({"previous": 5, "standardization": False}, (2, 2)),
        ({"previous": 5, "vetoes": ("C1.09",), "veto_cap": 2}, (0, 2)),
    ],
)
def test_the_range_a_committee_may_confirm(stars, fields, expected):
    assert rules.allowed_range(stars, inputs(**fields)) == expected


def group(name: str = "甲公司党委", en_name: str = "A Co.") -> dict:
    return {"committee": (1, Text(name, en_name))}


def test_the_lowest_scored_beyond_the_quota_drop_one_level(stars):
    seats = [
        rules.Seat(1, 5, 97.0, group()),
        rules.Seat(2, 5, 99.0, group()),
        rules.Seat(3, 5, 96.0, group()),
        rules.Seat(4, 3, 80.0, group()),
    ]

    added = rules.quota_demotions(seats, stars.quotas, quota_size)

    assert [seat.stars for seat in seats] == [5, 5, 4, 3]
    assert set(added) == {3}
    assert added[3][0].zh == "甲公司党委5 星名额 2 个（50%），得分排名在外：4 星"
    assert added[3][0].en == "Quota of A Co.: 2 at 5 stars (50%), ranked beyond it: 4 stars"


def test_a_confirmed_branch_keeps_its_place_in_the_quota(stars):
    seats = [
        rules.Seat(1, 5, 90.0, group(), fixed=True),
        rules.Seat(2, 5, 99.0, group()),
    ]

    rules.quota_demotions(seats, stars.quotas, quota_size)

    assert [seat.stars for seat in seats] == [5, 4]


def test_quotas_count_per_committee(stars):
    seats = [
        rules.Seat(1, 5, 97.0, group()),
        rules.Seat(2, 5, 99.0, {"committee": (2, Text("乙", "B"))}),
    ]

    assert rules.quota_demotions(seats, stars.quotas, quota_size) == {}
    assert [seat.stars for seat in seats] == [5, 5]
