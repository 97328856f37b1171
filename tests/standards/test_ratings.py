"""The meeting's votes on a secretary's report, weighed into a proposed rating (pure)."""

import pytest

from assessment.scoring.spec.shape import RatingShape, ReportVotesShape
from standards import ratings

RATINGS = tuple(
    RatingShape.model_validate(r)
    for r in [
        {"code": "good", "min": 0.85, "value": 100, "name": {"zh": "好", "en": "Good"}},
        {"code": "fairly_good", "min": 0.7, "value": 85, "name": {"zh": "较好", "en": "Fairly"}},
        {"code": "average", "min": 0.5, "value": 70, "name": {"zh": "一般", "en": "Average"}},
        {"code": "poor", "min": 0, "value": 0, "name": {"zh": "差", "en": "Poor"}},
    ]
)
WEIGHTS = ReportVotesShape()


def test_the_votes_are_weighed_by_the_number_of_voters():
    votes = {"good": 6, "fairly_good": 2, "average": 2, "poor": 0}
    # (6 × 1 + 2 × 0.8 + 2 × 0.5) ÷ 10
    assert ratings.fraction(votes, WEIGHTS) == pytest.approx(0.86)


def test_nobody_voting_weighs_nothing():
    assert ratings.fraction({"good": 0}, WEIGHTS) is None
    assert ratings.proposed({}, WEIGHTS, RATINGS).rating is None


def test_the_proposal_is_the_highest_rating_whose_minimum_is_reached():
    assert ratings.proposed({"good": 9, "poor": 1}, WEIGHTS, RATINGS).rating.code == "good"
    assert ratings.proposed({"good": 7, "poor": 3}, WEIGHTS, RATINGS).rating.code == "fairly_good"
    assert ratings.proposed({"average": 10}, WEIGHTS, RATINGS).rating.code == "average"
    assert ratings.proposed({"poor": 10}, WEIGHTS, RATINGS).rating.code == "poor"


def test_a_minimum_reached_exactly_counts_and_the_order_of_the_ratings_does_not_matter():
    # 17 of 20 good: 0.85 exactly, despite floating point.
    votes = {"good": 17, "poor": 3}
    assert ratings.proposed(votes, WEIGHTS, RATINGS).rating.code == "good"
    assert ratings.proposed(votes, WEIGHTS, tuple(reversed(RATINGS))).rating.code == "good"


def test_the_framework_weights_are_used():
    strict = ReportVotesShape(good=1, fairly_good=0.5, average=0.2, poor=0)
    votes = {"fairly_good": 10}
    assert ratings.proposed(votes, WEIGHTS, RATINGS).rating.code == "fairly_good"
    assert ratings.proposed(votes, strict, RATINGS).rating.code == "average"


def test_votes_from_a_form_become_whole_numbers_and_blanks_are_zero():
    checked = ratings.check_votes({"good": "12", "fairly_good": 3, "average": "", "poor": None})
    assert checked == {"good": 12, "fairly_good": 3, "average": 0, "poor": 0}
    assert ratings.check_votes({"good": 4.0}) == {
        "good": 4,
        "fairly_good": 0,
        "average": 0,
        "poor": 0,
    }


@pytest.mark.parametrize("bad", [-1, 2.5, "三", "1e3", True, [1], 100_001])
def test_a_vote_count_that_is_not_a_whole_number_is_refused_in_both_languages(bad):
    with pytest.raises(ratings.VotesRefused) as refused:
        ratings.check_votes({"good": bad, "poor": 1})
    assert "“好”的票数须为" in refused.value.messages("zh-hans")[0]
    assert "The votes for “Good” must be a whole number" in refused.value.messages("en")[0]


def test_no_vote_at_all_is_refused():
    with pytest.raises(ratings.VotesRefused) as refused:
        ratings.check_votes({"good": 0, "fairly_good": "0"})
    assert refused.value.messages("en") == ["Enter at least one vote."]
    assert refused.value.messages("zh-hans") == ["请至少录入一票。"]


def test_an_unknown_kind_of_vote_or_a_shape_that_is_no_mapping_is_refused():
    with pytest.raises(ratings.VotesRefused, match="Unknown kind of vote: excellent"):
        ratings.check_votes({"good": 3, "excellent": 1})
    with pytest.raises(ratings.VotesRefused, match="expected form"):
        ratings.check_votes([1, 2, 3, 4])


def test_every_bad_count_is_named_at_once():
    with pytest.raises(ratings.VotesRefused) as refused:
        ratings.check_votes({"good": -1, "poor": "x"})
    assert len(refused.value.texts) == 2
