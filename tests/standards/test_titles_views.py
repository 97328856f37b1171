"""The title pages: honours, the reviewers' list, a title and its decision, a subject's standard."""

from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry, AuditKind
from organizations.services import assign_role
from standards.choices import Decision
from standards.services import titles as services
from tests.factories import UserFactory
from tests.html import page

from .titles_data import scored, subject, title_of

__all__ = ["scored"]  # the fixture, used by the tests below


@pytest.fixture
def bert(tree):
    """A reviewer of committee B."""
    user = UserFactory(username="bert")
    assign_role(user=user, organization=tree.b, role="reviewer")
    return user


def decide_url(title) -> str:
    return reverse("standards:title_decide", args=[title.pk])


# -- honours -------------------------------------------------------------------------------------


def test_the_honours_list_confirmed_titles_by_kind(
    client_for, scored, tree, carol, erin, django_assert_max_num_queries
):
    services.decide(
        title_of(scored, tree.a1a), confirm=True, reason="", version=1, acting_user=carol
    )
    services.decide(
        title_of(scored, tree.a1a, "person"), confirm=True, reason="", version=1, acting_user=carol
    )
    services.decide(title_of(scored, tree.b1), confirm=True, reason="", version=1, acting_user=erin)
    client = client_for(erin)
    with django_assert_max_num_queries(9):  # 8, and the pager's count since the honours page
        response = client.get(reverse("standards:honours"), {"period": scored.pk})
    assert response.status_code == 200
    html = page(response)
    assert html.attr("[data-standard='party_organization']", "data-standard")
    assert sorted(html.texts("[data-standard='party_organization'] [data-title] a")) == [
        "乙一支部",
        "甲一第一支部",
    ]
    assert html.texts("[data-standard='party_member'] [data-title] a") == ["A1a成员"]
    assert "集团党组 / 甲公司党委 / 甲一党总支 / 甲一第一支部" in html.texts("[data-path]")


def test_the_honours_are_scoped_and_filtered(client_for, scored, tree, carol, erin, alice):
    services.decide(
        title_of(scored, tree.a1a), confirm=True, reason="", version=1, acting_user=carol
    )
    services.decide(title_of(scored, tree.b1), confirm=True, reason="", version=1, acting_user=erin)
    html = page(client_for(alice).get(reverse("standards:honours")))
    assert html.texts("[data-title] a") == ["甲一第一支部"]
    html = page(client_for(erin).get(reverse("standards:honours"), {"org": tree.b.pk}))
    assert html.texts("[data-title] a") == ["乙一支部"]
    assert (
        client_for(alice).get(reverse("standards:honours"), {"org": tree.b.pk}).status_code == 404
    )


def test_the_honours_say_when_nothing_is_confirmed(client_for, scored, alice):
    html = page(client_for(alice).get(reverse("standards:honours"), {"period": "garbage"}))
    assert html.has("[data-empty]")


# -- the reviewers' list -------------------------------------------------------------------------


def test_the_titles_page_lists_what_the_reviewer_decides_with_its_quota(
    client_for, scored, tree, carol, django_assert_max_num_queries
):
    client = client_for(carol)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("standards:titles"), {"period": scored.pk})
    assert response.status_code == 200
    html = page(response)
    assert sorted(html.texts("[data-title] [data-subject]")) == [
        "A1a成员",
        "甲一党总支",
        "甲一第一支部",
    ]
    quota = html.within(f"[data-quota='party_organization:{tree.a.pk}']")
    assert quota.text("[data-size]") == "1"
    assert quota.text("[data-available]") == "1"


def test_the_titles_page_filters_by_standard_and_state(client_for, scored, tree, carol):
    services.decide(
        title_of(scored, tree.a1a), confirm=True, reason="", version=1, acting_user=carol
    )
    client = client_for(carol)
    html = page(client.get(reverse("standards:titles"), {"standard": "party_member"}))
    assert html.texts("[data-title] [data-subject]") == ["A1a成员"]
    html = page(client.get(reverse("standards:titles"), {"state": "confirmed"}))
    assert html.texts("[data-title] [data-subject]") == ["甲一第一支部"]
    html = page(client.get(reverse("standards:titles"), {"state": "nonsense"}))
    assert html.has("[data-title]")


def test_a_user_with_nothing_to_decide_sees_an_empty_list(client_for, scored, alice):
    html = page(client_for(alice).get(reverse("standards:titles")))
    assert html.has("[data-empty]")


# -- a title and its decision --------------------------------------------------------------------


def test_a_title_shows_its_criteria(client_for, scored, tree, carol, django_assert_max_num_queries):
    title = title_of(scored, tree.a1a)
    client = client_for(carol)
    with django_assert_max_num_queries(7):
        response = client.get(reverse("standards:title_detail", args=[title.pk]))
    html = page(response)
    assert html.attr("[data-criterion='S2.1']", "data-met") == "yes"
    assert html.text("[data-criterion='S2.1'] [data-share]") == "100.0%"
    assert html.text("[data-criterion='S2.1'] [data-threshold]") == "80.0%"
    assert html.has(f"form[action='{decide_url(title)}']")


def test_a_reviewer_confirms_a_title_on_its_page(client_for, scored, tree, carol):
    title = title_of(scored, tree.a1a)
    response = client_for(carol).post(
        decide_url(title), {"decision": "confirm", "reason": "", "version": "1"}
    )
    assert response.status_code == 302
    title.refresh_from_db()
    assert title.state == Decision.CONFIRMED
    assert AuditEntry.objects.filter(kind=AuditKind.TITLE_DECIDED).count() == 1


def test_withholding_without_a_reason_is_refused(client_for, scored, tree, carol):
    title = title_of(scored, tree.a1a)
    with translation.override("en"):
        response = client_for(carol).post(
            decide_url(title),
            {"decision": "withhold", "reason": " ", "version": "1"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    assert page(response).texts("[data-error='reason']")
    title.refresh_from_db()
    assert title.state == Decision.PROPOSED


def test_a_stale_decision_is_refused_with_409(client_for, scored, tree, carol):
    title = title_of(scored, tree.a1a)
    response = client_for(carol).post(
        decide_url(title), {"decision": "confirm", "reason": "", "version": "5"}
    )
    assert response.status_code == 409
    assert page(response).has("[data-alert]")
    title.refresh_from_db()
    assert title.state == Decision.PROPOSED


def test_a_full_quota_is_refused_with_its_numbers(client_for, scored, tree, carol):
    services.decide(
        title_of(scored, tree.a1a), confirm=True, reason="", version=1, acting_user=carol
    )
    response = client_for(carol).post(
        decide_url(title_of(scored, tree.a1)), {"decision": "confirm", "version": "1"}
    )
    assert response.status_code == 400
    alert = page(response).text("[data-alert]")
    assert "甲公司党委" in alert
    assert "1" in alert


def test_a_reviewer_of_b_cannot_reach_a_s_titles(client_for, scored, tree, bert):
    title = title_of(scored, tree.a1a)
    client = client_for(bert)
    assert client.get(reverse("standards:title_detail", args=[title.pk])).status_code == 404
    response = client.post(decide_url(title), {"decision": "confirm", "version": "1"})
    assert response.status_code == 404
    title.refresh_from_db()
    assert title.state == Decision.PROPOSED


def test_an_organization_s_own_reviewer_may_see_but_not_decide(client_for, scored, tree, carol):
    title = title_of(scored, tree.a)
    client = client_for(carol)
    html = page(client.get(reverse("standards:title_detail", args=[title.pk])))
    assert not html.has("form[data-form='decide']")
    response = client.post(decide_url(title), {"decision": "confirm", "version": "1"})
    assert response.status_code == 403


def test_deciding_takes_a_post(client_for, scored, tree, carol):
    title = title_of(scored, tree.a1a)
    assert client_for(carol).get(decide_url(title)).status_code == 405


# -- a subject's standard ------------------------------------------------------------------------


def test_a_subject_s_standard_shows_each_criterion(
    client_for, scored, tree, alice, django_assert_max_num_queries
):
    client = client_for(alice)
    url = reverse("standards:standard_detail", args=[subject(scored, tree.a1a).pk])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    html = page(response)
    assert html.attr("[data-standard='party_organization']", "data-met") == "yes"


def test_a_subject_falling_short_says_why(client_for, scored, tree, carol):
    url = reverse("standards:standard_detail", args=[subject(scored, tree.a1b).pk])
    with translation.override("en"):
        html = page(client_for(carol).get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert html.attr("[data-standard='party_organization']", "data-met") == "no"
    assert html.attr("[data-criterion='S2.1']", "data-met") == "no"
    assert html.text("[data-criterion='S2.1'] [data-short-by]").startswith("30")
    assert html.has("[data-criterion='S2.1'] [data-held-back='C1.01']")


def test_a_subject_outside_the_scope_is_not_found(client_for, scored, tree, alice):
    url = reverse("standards:standard_detail", args=[subject(scored, tree.b1).pk])
    assert client_for(alice).get(url).status_code == 404


def test_an_unscored_subject_says_so(client_for, scored, tree, erin):
    url = reverse("standards:standard_detail", args=[subject(scored, tree.group).pk])
    assert page(client_for(erin).get(url)).has("[data-empty]")


def test_a_reviewer_confirms_from_the_list(client_for, scored, tree, carol):
    client = client_for(carol)
    html = page(client.get(reverse("standards:titles"), {"period": scored.pk}))
    title = title_of(scored, tree.a1a)
    form = html.within(f"[data-title='{title.pk}'] form[data-form='confirm']")
    assert form.attr("input[name='version']", "value") == "1"
    response = client.post(decide_url(title), {"decision": "confirm", "version": "1"})
    assert response.status_code == 302
    html = page(client.get(response.url))
    assert f"[data-title='{title.pk}']" not in str(html)
    assert html.text(f"[data-quota='party_organization:{tree.a.pk}'] [data-available]") == "0"


def test_the_honours_take_the_same_queries_for_more_titles(client_for, scored, tree, carol, erin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(erin)
    url = reverse("standards:honours")
    services.decide(
        title_of(scored, tree.a1a), confirm=True, reason="", version=1, acting_user=carol
    )
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"period": scored.pk})
    services.decide(title_of(scored, tree.b1), confirm=True, reason="", version=1, acting_user=erin)
    services.decide(
        title_of(scored, tree.a1a, "person"), confirm=True, reason="", version=1, acting_user=carol
    )
    with CaptureQueriesContext(connection) as three:
        client.get(url, {"period": scored.pk})
    assert len(three) == len(one)


def test_the_state_tabs_keep_the_sort_and_page_size(client_for, scored, carol):
    html = page(
        client_for(carol).get(
            reverse("standards:titles"), {"sort": "-score", "per_page": "25", "page": "2"}
        )
    )
    tab = parse_qs(html.attr('a.nav-link[data-state="confirmed"]', "href").lstrip("?"))
    assert (tab["sort"], tab["per_page"], tab["state"]) == (["-score"], ["25"], ["confirmed"])
    assert "page" not in tab  # a new filter starts at its first page
