"""The pages of star-rated branches: the committee's list, a rating with its confirmation, a
branch's history; scope, bad input and the happy path of each."""

import pytest
from django.urls import reverse

from organizations.services import assign_role
from standards.models import StarRating
from standards.services import stars as services
from tests.factories import OrganizationFactory, PeriodFactory, UserFactory
from tests.html import page

from .stars_builders import FOUR, FULL, NOT_SET_UP, score_branches, vetoed


@pytest.fixture
def english(client_for, settings):
    def login(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture
def rated(std_period, tree):
    """2026 scored and proposed: A1a 5 stars, A1b 5 by score but 4 by the quota, B1 vetoed."""
    score_branches(
        std_period, {tree.a1a: FULL, tree.a1b: {**FULL, "C1.03": "90"}, tree.b1: vetoed(FOUR)}
    )
    services.propose(std_period)
    return std_period


def rating_of(period, branch) -> StarRating:
    return StarRating.objects.get(period=period, organization=branch)


@pytest.fixture
def reviewer_b(tree):
    user = UserFactory(username="rob")
    assign_role(user=user, organization=tree.b, role="reviewer")
    return user


class TestList:
    def test_the_committee_sees_its_branches_with_quota_and_levels(
        self, rated, tree, carol, english, django_assert_max_num_queries
    ):
        client = english(carol)
        with django_assert_max_num_queries(11):
            response = client.get(reverse("standards:stars"), {"period": rated.pk})

        html = page(response)
        assert response.status_code == 200
        shown = {int(row["data-rating"]) for row in html.select("tr[data-rating]")}
        assert shown == {rating_of(rated, tree.a1a).pk, rating_of(rated, tree.a1b).pk}
        assert (
            html.attr(
                f"tr[data-rating='{rating_of(rated, tree.a1a).pk}'] [data-proposed]",
                "data-proposed",
            )
            == "5"
        )
        quota = html.within(f"tr[data-quota='{tree.a.pk}-5']")
        assert quota.text("[data-available]") == "1"
        assert html.count("form[data-confirm-in-place]") == 2

    def test_the_list_queries_do_not_grow_with_the_branches(
        self, std_framework, tree, carol, english, django_assert_max_num_queries
    ):
        branches = [OrganizationFactory(code=f"A1{n}x", parent=tree.a1) for n in range(8)]
        period = PeriodFactory(framework=std_framework, year=2026)
        score_branches(period, dict.fromkeys([tree.a1a, *branches], FULL))
        services.propose(period)
        client = english(carol)

        with django_assert_max_num_queries(11):
            response = client.get(reverse("standards:stars"))

        assert page(response).count("tr[data-rating]") == 9

    def test_the_list_defaults_to_the_latest_period_with_ratings(self, rated, tree, carol, english):
        response = english(carol).get(reverse("standards:stars"))

        assert page(response).count("tr[data-rating]") == 2

    def test_a_state_filter_narrows_the_table_not_the_summary(self, rated, tree, carol, english):
        a1a = rating_of(rated, tree.a1a)
        services.decide(a1a, stars=5, reason="", version=a1a.version, acting_user=carol)

        html = page(english(carol).get(reverse("standards:stars"), {"state": "confirmed"}))

        assert html.count("tr[data-rating]") == 1
        assert html.text("[data-states]") == "1 / 1"

    def test_a_secretary_sees_only_her_branch_and_cannot_confirm(self, rated, tree, alice, english):
        html = page(english(alice).get(reverse("standards:stars")))

        assert html.count("tr[data-rating]") == 1
        assert not html.has("form[data-confirm-in-place]")
        assert not html.has("tr[data-quota]")  # she does not see the committee whole

    def test_garbled_filters_are_ignored(self, rated, carol, english):
        response = english(carol).get(reverse("standards:stars"), {"state": "x", "org": "zz"})

        assert response.status_code == 200
        assert page(response).count("tr[data-rating]") == 2

    def test_an_organization_outside_the_scope_is_404(self, rated, tree, carol, english):
        response = english(carol).get(reverse("standards:stars"), {"org": tree.b.pk})

        assert response.status_code == 404

    def test_no_role_no_list(self, rated, frank, english):
        response = english(frank).get(reverse("standards:stars"))

        assert not page(response).has("tr[data-rating]")

    def test_confirm_in_place(self, rated, tree, carol, english):
        a1a = rating_of(rated, tree.a1a)
        url = reverse("standards:stars") + f"?period={rated.pk}"

        response = english(carol).post(
            reverse("standards:star_decide", args=[a1a.pk]),
            {"stars": 5, "version": a1a.version, "next": url},
        )

        assert response.status_code == 302
        assert response["Location"] == url
        assert rating_of(rated, tree.a1a).state == "confirmed"


class TestDetail:
    def test_the_page_shows_steps_conditions_and_checklist(
        self, rated, tree, carol, english, django_assert_max_num_queries
    ):
        a1b = rating_of(rated, tree.a1b)
        client = english(carol)
        with django_assert_max_num_queries(6):
            response = client.get(reverse("standards:star_detail", args=[a1b.pk]))

        html = page(response)
        steps = html.texts("[data-steps] li")
        assert steps[0] == "Score 97: 5 stars"
        assert steps[-1] == "Quota of A Co.: 1 at 5 stars (50%), ranked beyond it: 4 stars"
        assert html.attr("[data-condition='standardization']", "data-met") == "yes"
        assert html.has("tr[data-item='setup'][data-indicator='C1.02']")
        assert html.has("form[data-decide]")

    def test_chinese_by_default(self, rated, tree, carol, client_for):
        response = client_for(carol).get(
            reverse("standards:star_detail", args=[rating_of(rated, tree.a1b).pk])
        )

        assert page(response).texts("[data-steps] li")[0] == "得分 97，对应 5 星"

    def test_a_vetoed_branch_shows_why(self, rated, tree, erin, english):
        b1 = rating_of(rated, tree.b1)

        html = page(english(erin).get(reverse("standards:star_detail", args=[b1.pk])))

        assert html.has("[data-vetoed]")
        assert html.attr("[data-condition='no_veto']", "data-met") == "no"

    def test_a_failing_checklist_item_is_marked(self, std_period, tree, erin, english):
        score_branches(std_period, {tree.b1: NOT_SET_UP})
        services.propose(std_period)

        html = page(
            english(erin).get(
                reverse("standards:star_detail", args=[rating_of(std_period, tree.b1).pk])
            )
        )

        assert html.attr("[data-standardized]", "data-standardized") == "no"
        assert html.has("[data-item='setup'] [data-item-met='no']")

    def test_a_reviewer_of_b_gets_404_for_a_branch_of_a(self, rated, tree, reviewer_b, english):
        a1a = rating_of(rated, tree.a1a)

        client = english(reviewer_b)
        assert client.get(reverse("standards:star_detail", args=[a1a.pk])).status_code == 404
        response = client.post(
            reverse("standards:star_decide", args=[a1a.pk]), {"stars": 5, "version": 1}
        )
        assert response.status_code == 404
        assert rating_of(rated, tree.a1a).state == "proposed"

    def test_the_branch_sees_its_rating_without_the_form(self, rated, tree, alice, english):
        html = page(
            english(alice).get(
                reverse("standards:star_detail", args=[rating_of(rated, tree.a1a).pk])
            )
        )

        assert html.has("[data-steps]")
        assert not html.has("form[data-decide]")


class TestDecide:
    def test_confirming_other_stars_with_a_reason(self, rated, tree, carol, english):
        a1a = rating_of(rated, tree.a1a)

        response = english(carol).post(
            reverse("standards:star_decide", args=[a1a.pk]),
            {"stars": 4, "reason": "党员大会记录不全", "version": a1a.version},
        )

        assert response.status_code == 302
        a1a.refresh_from_db()
        assert (a1a.state, a1a.stars, a1a.reason) == ("confirmed", 4, "党员大会记录不全")
        html = page(english(carol).get(response["Location"]))
        assert html.has("[data-confirmed]")

    def test_other_stars_without_a_reason_are_refused(self, rated, tree, carol, english):
        a1a = rating_of(rated, tree.a1a)

        response = english(carol).post(
            reverse("standards:star_decide", args=[a1a.pk]), {"stars": 4, "version": a1a.version}
        )

        assert response.status_code == 400
        assert "needs a reason" in page(response).text("[data-form-errors]")
        assert rating_of(rated, tree.a1a).state == "proposed"

    def test_a_stale_form_is_409(self, rated, tree, carol, english):
        a1a = rating_of(rated, tree.a1a)

        response = english(carol).post(
            reverse("standards:star_decide", args=[a1a.pk]), {"stars": 5, "version": 99}
        )

        assert response.status_code == 409
        assert "changed since you opened it" in page(response).text("[data-form-errors]")

    def test_the_quota_refusal_names_the_quota(self, rated, tree, carol, english):
        a1a, a1b = rating_of(rated, tree.a1a), rating_of(rated, tree.a1b)
        services.decide(a1a, stars=5, reason="", version=a1a.version, acting_user=carol)

        response = english(carol).post(
            reverse("standards:star_decide", args=[a1b.pk]),
            {"stars": 5, "reason": "一样好", "version": a1b.version},
        )

        assert response.status_code == 400
        assert "The quota of A Co." in page(response).text("[data-form-errors]")

    def test_a_secretary_of_the_branch_gets_403(self, rated, tree, alice, english):
        a1a = rating_of(rated, tree.a1a)

        response = english(alice).post(
            reverse("standards:star_decide", args=[a1a.pk]), {"stars": 5, "version": a1a.version}
        )

        assert response.status_code == 403
        assert rating_of(rated, tree.a1a).state == "proposed"

    def test_bad_stars_are_refused(self, rated, tree, carol, english):
        a1a = rating_of(rated, tree.a1a)

        response = english(carol).post(
            reverse("standards:star_decide", args=[a1a.pk]), {"stars": 9, "version": "x"}
        )

        assert response.status_code == 400
        assert rating_of(rated, tree.a1a).state == "proposed"

    def test_get_is_not_allowed(self, rated, tree, carol, english):
        a1a = rating_of(rated, tree.a1a)

        response = english(carol).get(reverse("standards:star_decide", args=[a1a.pk]))

        assert response.status_code == 405

    def test_an_outside_next_is_not_followed(self, rated, tree, carol, english):
        a1a = rating_of(rated, tree.a1a)

        response = english(carol).post(
            reverse("standards:star_decide", args=[a1a.pk]),
            {"stars": 5, "version": a1a.version, "next": "https://evil.example/"},
        )

        assert response["Location"] == reverse("standards:star_detail", args=[a1a.pk])


class TestHistory:
    def test_every_year_with_its_stars_and_a_chart(
        self, std_framework, std_period, tree, carol, english, django_assert_max_num_queries
    ):
        last = PeriodFactory(framework=std_framework, year=2025)
        score_branches(last, {tree.a1a: FULL})
        services.propose(last)
        rating = rating_of(last, tree.a1a)
        services.decide(rating, stars=5, reason="", version=rating.version, acting_user=carol)
        score_branches(std_period, {tree.a1a: vetoed(FULL)})
        services.propose(std_period)

        client = english(carol)
        with django_assert_max_num_queries(7):
            response = client.get(reverse("standards:star_history", args=[tree.a1a.pk]))

        html = page(response)
        assert [row["data-year"] for row in html.select("tr[data-year]")] == ["2025", "2026"]
        assert html.text("tr[data-year='2025'] [data-stars]").endswith("5")
        assert html.has("tr[data-year='2026'] [data-vetoed]")
        assert html.text("tr[data-year='2026'] [data-proposed]") == "2"
        assert html.count("svg[data-chart] rect[data-bar]") == 2
        assert not html.has("script:not([src])")

    def test_a_branch_without_ratings_has_an_empty_history(self, std_period, tree, alice, english):
        html = page(english(alice).get(reverse("standards:star_history", args=[tree.a1a.pk])))

        assert html.has("[data-empty]")

    def test_a_sibling_branch_is_404(self, rated, tree, alice, english):
        response = english(alice).get(reverse("standards:star_history", args=[tree.a1b.pk]))

        assert response.status_code == 404
