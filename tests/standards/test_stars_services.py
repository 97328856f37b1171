"""Proposing star ratings from a year's scores, and the committee confirming them."""

import pytest
from django.utils import translation

from assessment.models import Period
from audit.models import AuditEntry, AuditKind
from organizations.services import assign_role
from standards.choices import Decision
from standards.models import StarRating
from standards.services import stars as services
from tests.factories import OrganizationFactory, PeriodFactory, UserFactory

from .stars_builders import FOUR, FULL, NOT_SET_UP, THREE, score_branches, vetoed


@pytest.fixture(autouse=True)
def _proposals_called_here():
    """Scoring proposes through the scores_written signal once the scores are committed (on
    PostgreSQL the roll-up's commit runs it in these tests too); here `propose` is called by the
    tests themselves, so that what it returns and the queries it makes are its own."""
    from assessment.signals import scores_written

    scores_written.disconnect(dispatch_uid="standards.propose_for_scores")
    yield
    from standards.receivers import connect

    connect()


def rating(period: Period, branch) -> StarRating:
    return StarRating.objects.get(period=period, organization=branch)


def confirm_last_year(framework, tree, stars: dict) -> Period:
    """A scored 2025 period whose ratings are confirmed at `stars` (branch → stars)."""
    last = PeriodFactory(framework=framework, year=2025)
    score_branches(last, dict.fromkeys(stars, FULL))
    services.propose(last)
    StarRating.objects.filter(period=last).update(state=Decision.CONFIRMED)
    for branch, value in stars.items():
        StarRating.objects.filter(period=last, organization=branch).update(stars=value)
    return last


class TestPropose:
    def test_each_scored_branch_gets_a_proposal_with_its_steps(self, std_period, tree):
        score_branches(std_period, {tree.a1a: FOUR, tree.b1: THREE})

        assert services.propose(std_period) == 2

        a1a = rating(std_period, tree.a1a)
        assert (a1a.score, a1a.band_stars, a1a.proposed, a1a.state) == (88.0, 4, 4, "proposed")
        assert a1a.steps[0] == {"zh": "得分 88，对应 4 星", "en": "Score 88: 4 stars"}
        assert a1a.conditions["met"] == {
            "standardization": True,
            "no_veto": True,
            "complete": True,
        }
        assert a1a.conditions["standardization"]["met"] is True
        assert [i["code"] for i in a1a.conditions["standardization"]["items"]] == ["setup", "life"]

    def test_only_branch_kinds_are_rated(self, std_period, tree):
        score_branches(std_period, {tree.a1: FULL, tree.a: FULL, tree.a1a: FULL})

        services.propose(std_period)

        assert list(StarRating.objects.values_list("organization__code", flat=True)) == ["A1a"]

    def test_standardization_not_met_caps_the_proposal(self, std_period, tree):
        score_branches(std_period, {tree.b1: NOT_SET_UP})

        services.propose(std_period)

        b1 = rating(std_period, tree.b1)
        assert b1.proposed == 2
        assert b1.conditions["met"]["standardization"] is False
        assert {
            "zh": "未达到标准化规范化要求，最高 2 星",
            "en": "Standardization not met: at most 2 stars",
        } in b1.steps

    def test_a_veto_is_recorded_and_caps_the_proposal(self, std_period, tree):
        score_branches(std_period, {tree.b1: vetoed(FULL)})

        services.propose(std_period)

        b1 = rating(std_period, tree.b1)
        assert b1.vetoed
        assert b1.band_stars == 5
        assert b1.proposed == 2
        assert b1.conditions["vetoes"] == ["C1.09"]

    def test_a_locked_submission_counts_as_approved(self, std_period, tree):
        score_branches(std_period, {tree.b1: FULL}, state="locked")

        services.propose(std_period)

        assert rating(std_period, tree.b1).conditions["met"]["complete"] is True

    def test_a_missing_value_makes_the_data_incomplete(self, std_period, tree):
        values = {code: value for code, value in FULL.items() if code != "C1.03"}
        score_branches(std_period, {tree.b1: values})

        services.propose(std_period)

        b1 = rating(std_period, tree.b1)
        assert b1.conditions["met"]["complete"] is False
        assert b1.conditions["missing"] == 1
        assert b1.proposed == 2
        assert "数据不完整（缺 1 项），最高 2 星" in [step["zh"] for step in b1.steps]

    def test_the_quota_demotes_the_lower_score(self, std_period, tree):
        score_branches(std_period, {tree.a1a: FULL, tree.a1b: {**FULL, "C1.03": "90"}})

        services.propose(std_period)

        assert rating(std_period, tree.a1a).proposed == 5
        a1b = rating(std_period, tree.a1b)
        assert a1b.band_stars == 5
        assert a1b.proposed == 4
        assert "Quota of A Co.: 1 at 5 stars (50%), ranked beyond it: 4 stars" in [
            step["en"] for step in a1b.steps
        ]

    def test_previous_is_last_years_confirmed_stars(self, std_framework, std_period, tree):
        confirm_last_year(std_framework, tree, {tree.b1: 3})
        score_branches(std_period, {tree.b1: FULL})

        services.propose(std_period)

        b1 = rating(std_period, tree.b1)
        assert (b1.previous, b1.proposed) == (3, 4)
        assert b1.steps[-1]["zh"] == "上年 3 星，本年最多升 1 星：4 星"

    def test_a_veto_after_five_stars_falls_without_limit(self, std_framework, std_period, tree):
        confirm_last_year(std_framework, tree, {tree.b1: 5})
        score_branches(std_period, {tree.b1: vetoed(FULL)})

        services.propose(std_period)

        b1 = rating(std_period, tree.b1)
        assert (b1.previous, b1.proposed) == (5, 2)
        assert b1.steps[-1]["zh"] == "一票否决：不受升降一星限制"

    def test_a_proposal_last_year_is_not_previous(self, std_framework, std_period, tree):
        last = PeriodFactory(framework=std_framework, year=2025)
        score_branches(last, {tree.b1: FULL})
        services.propose(last)
        score_branches(std_period, {tree.b1: THREE})

        services.propose(std_period)

        assert rating(std_period, tree.b1).previous is None

    def test_running_again_changes_nothing(self, std_period, tree):
        score_branches(std_period, {tree.a1a: FULL, tree.b1: THREE})
        services.propose(std_period)
        before = list(StarRating.objects.values("pk", "version", "proposed_at", "proposed"))

        assert services.propose(std_period) == 0

        assert list(StarRating.objects.values("pk", "version", "proposed_at", "proposed")) == before

    def test_a_changed_score_refreshes_the_proposal_and_bumps_the_version(self, std_period, tree):
        score_branches(std_period, {tree.b1: THREE})
        services.propose(std_period)
        score_branches(std_period, {tree.b1: FOUR})

        assert services.propose(std_period) == 1

        b1 = rating(std_period, tree.b1)
        assert (b1.proposed, b1.version) == (4, 2)

    def test_a_confirmed_rating_is_never_changed(self, std_period, tree, carol):
        score_branches(std_period, {tree.a1a: THREE})
        services.propose(std_period)
        a1a = rating(std_period, tree.a1a)
        services.decide(a1a, stars=3, reason="", version=a1a.version, acting_user=carol)
        score_branches(std_period, {tree.a1a: FOUR})

        services.propose(std_period)

        a1a = rating(std_period, tree.a1a)
        assert (a1a.state, a1a.stars, a1a.proposed, a1a.score) == ("confirmed", 3, 3, 79.0)
        assert a1a.details["changed_since"]["proposed"] == 4

    def test_a_confirmed_rating_demoted_by_the_quota_is_not_marked_changed(
        self, std_period, tree, carol
    ):
        score_branches(std_period, {tree.a1a: FULL, tree.a1b: {**FULL, "C1.03": "90"}})
        services.propose(std_period)
        a1b = rating(std_period, tree.a1b)
        services.decide(a1b, stars=4, reason="", version=a1b.version, acting_user=carol)

        services.propose(std_period)

        assert "changed_since" not in rating(std_period, tree.a1b).details

    def test_only_yearly_periods_are_rated(self, std_framework, tree):
        quarter = PeriodFactory(framework=std_framework, year=2026, kind="quarter")
        score_branches(quarter, {tree.b1: FULL})

        assert services.propose(quarter) == 0
        assert not StarRating.objects.exists()

    def test_submission_ids_of_no_branch_do_nothing(self, std_period, tree):
        score_branches(std_period, {tree.b1: FULL})

        assert services.propose(std_period, submission_ids=[]) == 0
        assert not StarRating.objects.exists()

    def test_queries_do_not_grow_with_the_branches(
        self, std_framework, tree, django_assert_max_num_queries
    ):
        few = PeriodFactory(framework=std_framework, year=2026)
        score_branches(few, {tree.a1a: FULL})
        with django_assert_max_num_queries(12) as small:
            services.propose(few)
        for n in range(6):
            OrganizationFactory(code=f"A1{n}x", parent=tree.a1)
        many = PeriodFactory(framework=std_framework, year=2030)  # no year before it, as for `few`
        branches = [*tree.a1.children.all()]
        score_branches(many, dict.fromkeys(branches, FULL))
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert services.propose(many) == len(branches)


@pytest.fixture
def proposed(std_period, tree):
    score_branches(std_period, {tree.a1a: FOUR, tree.a1b: THREE, tree.b1: FULL})
    services.propose(std_period)
    return std_period


class TestDecide:
    @pytest.fixture(autouse=True)
    def _english(self):
        """The refusals are matched in English; one test reads the Chinese."""
        with translation.override("en"):
            yield

    def test_the_committee_confirms_the_proposal(self, proposed, tree, carol):
        a1a = rating(proposed, tree.a1a)

        decided = services.decide(a1a, stars=4, reason="", version=1, acting_user=carol)

        assert (decided.state, decided.stars, decided.version) == ("confirmed", 4, 2)
        assert decided.decided_by == carol
        entry = AuditEntry.objects.get(kind=AuditKind.STARS_DECIDED)
        assert entry.organization_id == tree.a1a.pk
        assert entry.after["stars"] == 4

    def test_the_reviewer_of_the_branch_itself_cannot_confirm(self, proposed, tree):
        own = UserFactory(username="own")
        assign_role(user=own, organization=tree.a1a, role="reviewer")

        with pytest.raises(services.NotAllowed):
            services.decide(
                rating(proposed, tree.a1a), stars=4, reason="", version=1, acting_user=own
            )
        assert not AuditEntry.objects.filter(kind=AuditKind.STARS_DECIDED).exists()

    def test_a_secretary_cannot_confirm(self, proposed, tree, alice):
        with pytest.raises(services.NotAllowed):
            services.decide(
                rating(proposed, tree.a1a), stars=4, reason="", version=1, acting_user=alice
            )

    def test_other_stars_need_a_reason(self, proposed, tree, carol):
        with pytest.raises(services.StarsRefused, match="needs a reason"):
            services.decide(
                rating(proposed, tree.a1a), stars=3, reason=" ", version=1, acting_user=carol
            )

        decided = services.decide(
            rating(proposed, tree.a1a), stars=3, reason="会议记录不全", version=1, acting_user=carol
        )
        assert (decided.stars, decided.reason) == (3, "会议记录不全")

    def test_a_stale_version_is_refused(self, proposed, tree, carol):
        with pytest.raises(services.StaleVersion) as refused:
            services.decide(
                rating(proposed, tree.a1a), stars=4, reason="", version=7, acting_user=carol
            )
        assert refused.value.current == 1
        assert rating(proposed, tree.a1a).state == "proposed"

    def test_already_confirmed_is_refused(self, proposed, tree, carol):
        services.decide(
            rating(proposed, tree.a1a), stars=4, reason="", version=1, acting_user=carol
        )

        with pytest.raises(services.StarsRefused, match="already confirmed"):
            services.decide(
                rating(proposed, tree.a1a), stars=4, reason="", version=2, acting_user=carol
            )

    def test_more_than_one_star_from_last_year_is_refused(
        self, std_framework, std_period, tree, erin
    ):
        confirm_last_year(std_framework, tree, {tree.b1: 3})
        score_branches(std_period, {tree.b1: FULL})
        services.propose(std_period)
        b1 = rating(std_period, tree.b1)

        with pytest.raises(services.StarsRefused, match="more than 1 above last year's 3"):
            services.decide(b1, stars=5, reason="表现突出", version=b1.version, acting_user=erin)
        with pytest.raises(services.StarsRefused, match="more than 1 below"):
            services.decide(b1, stars=1, reason="降级", version=b1.version, acting_user=erin)

    def test_above_the_entry_conditions_is_refused(self, std_period, tree, erin):
        score_branches(std_period, {tree.b1: NOT_SET_UP})
        services.propose(std_period)
        b1 = rating(std_period, tree.b1)

        with pytest.raises(services.StarsRefused, match="at most 2 stars"):
            services.decide(b1, stars=3, reason="整改中", version=b1.version, acting_user=erin)

    def test_after_a_veto_the_fall_is_allowed(self, std_framework, std_period, tree, erin):
        confirm_last_year(std_framework, tree, {tree.b1: 5})
        score_branches(std_period, {tree.b1: vetoed(FULL)})
        services.propose(std_period)
        b1 = rating(std_period, tree.b1)

        decided = services.decide(
            b1, stars=1, reason="严重违纪", version=b1.version, acting_user=erin
        )

        assert decided.stars == 1

    def test_the_quota_refuses_one_more_at_the_top(self, std_period, tree, carol):
        score_branches(std_period, {tree.a1a: FULL, tree.a1b: FULL})
        services.propose(std_period)
        a1a, a1b = rating(std_period, tree.a1a), rating(std_period, tree.a1b)
        services.decide(a1a, stars=5, reason="", version=a1a.version, acting_user=carol)

        with pytest.raises(services.StarsRefused) as refused:
            services.decide(a1b, stars=5, reason="同样优秀", version=a1b.version, acting_user=carol)

        assert "A Co." in refused.value.message or "甲公司党委" in refused.value.message
        assert "at most 1 of its 2 branches at 5 stars (50%)" in refused.value.message
        assert rating(std_period, tree.a1b).state == "proposed"

    def test_the_quota_refusal_in_chinese(self, std_period, tree, carol):
        score_branches(std_period, {tree.a1a: FULL, tree.a1b: FULL})
        services.propose(std_period)
        a1a, a1b = rating(std_period, tree.a1a), rating(std_period, tree.a1b)
        services.decide(a1a, stars=5, reason="", version=a1a.version, acting_user=carol)

        with translation.override("zh-hans"), pytest.raises(services.StarsRefused) as refused:
            services.decide(a1b, stars=5, reason="同样优秀", version=a1b.version, acting_user=carol)

        assert refused.value.message == (
            "甲公司党委的名额：2 个支部中最多 1 个评为 5 星（50%），已确认 1 个。"
        )
