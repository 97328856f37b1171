"""The dashboard pages: who lands where, what each reader sees, the switch and the drill-downs.

Scores of 2026 (tests/dashboards/conftest.py): branches A1a 80, A1b 40, A1c 70, B1 90; the
general branch A1 and committee A 63.33 (mean of their branches), B 90, the group 76.67.
"""

import json

import pytest
from django.urls import reverse

from assessment.models import Rollup, SubjectScore
from tests.builders import build_scored
from tests.factories import RectificationFactory
from tests.html import Page, page, text_of

pytestmark = pytest.mark.django_db


def url(org, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("dashboards:organization", args=[org.pk]) + (f"?{query}" if query else "")


def chart_data(response) -> dict:
    return json.loads(page(response).one('script#dash-data[type="application/json"]').string)


def tile(response, name: str) -> Page:
    return page(response).within(f'[data-tile="{name}"]')


# -- landing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [("alice", "a1a"), ("carol", "a"), ("dave", "a"), ("erin", "group")],
)
def test_home_opens_the_top_of_the_readers_scope(request, client_for, tree, username, expected):
    user = request.getfixturevalue(username)
    response = client_for(user).get(reverse("dashboards:home"))
    assert response.status_code == 302
    assert response["Location"] == url(getattr(tree, expected))


def test_home_without_a_role_says_whom_to_ask(client_for, frank):
    response = client_for(frank).get(reverse("dashboards:home"))
    assert response.status_code == 200
    assert "no_role.html" in [t.name for t in response.templates]


def test_an_anonymous_visitor_is_sent_to_sign_in(client, tree):
    response = client.get(url(tree.group))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# -- scope ---------------------------------------------------------------------------------


def test_a_secretary_cannot_open_a_sibling_branch(client_for, alice, bob, tree, scored):
    assert client_for(alice).get(url(tree.a1b)).status_code == 404


def test_a_reviewer_cannot_open_another_committee(client_for, carol, tree, scored):
    assert client_for(carol).get(url(tree.b1)).status_code == 404
    assert client_for(carol).get(url(tree.group)).status_code == 404


def test_only_get_is_accepted(client_for, erin, tree, scored):
    assert client_for(erin).post(url(tree.group)).status_code == 405


# -- the group dashboard -------------------------------------------------------------------


def test_the_tiles_show_the_stored_total(client_for, erin, tree, scored):
    response = client_for(erin).get(url(tree.group), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    total = Rollup.objects.get(period=scored.current, organization=tree.group, dimension="")
    score = tile(response, "score")
    assert score.text(".dash-tile-value") == "76.7"
    assert score.attr(".dash-tile-value a", "href") == reverse(
        "dashboards:explain_rollup", args=[total.pk]
    )
    assert tile(response, "grade").text(".dash-tile-value") == "C"  # 76.67 is "qualified"
    stars = tile(response, "stars").text('.dash-tile-value [aria-hidden="true"]')
    assert stars == "★★★☆☆"  # 75 and above
    # The group has no peers: no rank among them, no average.
    assert tile(response, "rank").text(".dash-tile-value") == "–"
    completeness = tile(response, "completeness")
    assert completeness.text(".dash-tile-value") == "100%"
    assert "4 of 4" in completeness.text(".dash-tile-note").replace("4 / 4", "4 of 4")
    change = tile(response, "change").text()
    assert ("+" in change and "Year 2025" in change) or "2025年度" in change


def test_the_ranking_lists_the_children_best_first_with_links(client_for, erin, tree, scored):
    response = client_for(erin).get(url(tree.group))
    data = chart_data(response)
    assert [row["name"] for row in data["ranking"]] == ["乙公司党委", "甲公司党委"]
    assert [row["score"] for row in data["ranking"]] == [90.0, 63.33]
    assert data["ranking"][0]["url"] == url(tree.b, period=scored.current.pk)
    shown = page(response)
    for child in (tree.a, tree.b):
        rollup = Rollup.objects.get(period=scored.current, organization=child, dimension="")
        row = shown.within(f'tr[data-org="{child.code}"]')
        assert row.has(f'a[href="{reverse("dashboards:explain_rollup", args=[rollup.pk])}"]')
        assert row.has(f'a[href="{url(child, period=scored.current.pk)}"]')


def test_each_child_has_a_sparkline_over_both_periods(client_for, erin, tree, scored):
    shown = page(client_for(erin).get(url(tree.group)))
    assert shown.has('tr[data-org="A"] svg polyline')


def test_the_heatmap_has_every_dimension_cell_with_its_explanation(client_for, erin, tree, scored):
    response = client_for(erin).get(url(tree.group))
    data = chart_data(response)
    assert data["heatmap"]["dimensions"] == ["思想建设", "组织建设", "思想引领"]
    assert data["heatmap"]["rows"][0]["cells"] == [75.0, 100.0, 75.0]  # B
    cell = Rollup.objects.get(period=scored.current, organization=tree.b, dimension="C1")
    assert page(response).refers_to(reverse("dashboards:explain_rollup", args=[cell.pk]))


def test_the_trend_links_each_period(client_for, erin, tree, scored):
    data = chart_data(client_for(erin).get(url(tree.group)))
    assert data["trend"]["urls"] == [
        url(tree.group, period=scored.previous.pk),
        url(tree.group, period=scored.current.pk),
    ]
    assert data["trend"]["unit"][-1] == 76.67


def test_the_weakest_indicator_comes_first(client_for, erin, tree, scored):
    response = client_for(erin).get(url(tree.group))
    data = chart_data(response)
    assert [item["name"] for item in data["weak"]] == ["C1.01 理论学习次数", "C2.01 支委会召开"]
    assert [item["average"] for item in data["weak"]] == [62.5, 75.0]
    assert data["weak"][0]["url"].endswith("indicator=C1.01#drill")


def test_the_grade_distribution_counts_subjects_by_kind(client_for, erin, tree, scored):
    data = chart_data(client_for(erin).get(url(tree.group)))
    assert data["grades"]["grades"] == ["A", "B", "C", "D"]
    assert data["grades"]["series"][0]["data"] == [1, 1, 1, 1]  # 90, 80, 70, 40


def test_the_page_carries_the_explanation_panel_and_effectiveness(client_for, erin, tree, scored):
    shown = page(client_for(erin).get(url(tree.group)))
    assert shown.has(f'a[href^="{reverse("dashboards:effectiveness", args=[tree.group.pk])}"]')
    assert shown.has('script[src$="vendor/echarts/echarts.min.js"]')
    assert shown.has('script[src$="js/dashboards.js"]')


def test_english_names_in_english(client_for, erin, tree, scored):
    client = client_for(erin)
    client.cookies["django_language"] = "en"
    data = chart_data(client.get(url(tree.group), HTTP_ACCEPT_LANGUAGE="en"))
    assert [row["name"] for row in data["ranking"]] == ["B Co.", "A Co."]
    assert data["heatmap"]["dimensions"] == ["Ideological", "Organizational", "Thought leading"]


# -- periods -------------------------------------------------------------------------------


def test_the_latest_period_with_scores_is_the_default(client_for, erin, tree, scored):
    response = client_for(erin).get(url(tree.group))
    assert response.context["period"] == scored.current


def test_the_latest_closed_period_is_the_default_over_an_open_one(client_for, erin, tree, scored):
    """An open period's scores count missing submissions as zero: final results come first."""
    from assessment.services import periods

    periods.close_period(scored.previous, acting_user=erin)
    response = client_for(erin).get(url(tree.group))
    assert response.context["period"] == scored.previous
    chosen = client_for(erin).get(url(tree.group), {"period": scored.current.pk})
    assert chosen.context["period"] == scored.current


def test_an_earlier_period_can_be_chosen(client_for, erin, tree, scored):
    response = client_for(erin).get(url(tree.group, period=scored.previous.pk))
    assert response.context["period"] == scored.previous
    assert tile(response, "change").text().count("–") == 1  # nothing before 2025


@pytest.mark.parametrize("asked", ["abc", "999999", "-1"])
def test_a_period_without_scores_falls_back_with_a_warning(client_for, erin, tree, scored, asked):
    response = client_for(erin).get(url(tree.group, period=asked))
    assert response.status_code == 200
    assert response.context["period"] == scored.current
    messages = [str(m) for m in response.context["messages"]]
    assert any("2026年度" in m for m in messages)


def test_an_organization_without_scores_says_so(client_for, erin, tree):
    response = client_for(erin).get(url(tree.group))
    assert response.status_code == 200
    assert response.context["period"] is None
    assert not page(response).has("#dash-data")


# -- the secretary's own dashboard -----------------------------------------------------------


def test_a_secretary_sees_rank_and_peer_average_but_no_peer(client_for, alice, tree, scored):
    response = client_for(alice).get(url(tree.a1a))
    assert response.status_code == 200
    rank = tile(response, "rank")
    assert rank.text(".dash-tile-value") == "1 / 3"
    assert "55.0" in rank.text("[data-peer-average]")  # (40 + 70) / 2
    shown = page(response)
    for peer in (tree.a1b, scored.a1c):
        assert not shown.mentions(peer.name)
        assert not shown.mentions(peer.name_en)
        assert not shown.mentions(f"/dashboards/organizations/{peer.pk}/")
    data = chart_data(response)
    assert data["ranking"] == []
    assert data["radar"]["peers"] == [62.5, 50.0, 62.5]  # C1, C2, G1 averages of A1b and A1c


def test_an_average_over_a_single_peer_is_not_shown(client_for, erin, tree, scored):
    Rollup.objects.filter(organization=scored.a1c).delete()
    response = client_for(erin).get(url(tree.a1a))
    assert "55.0" not in tile(response, "rank").text()
    assert chart_data(response)["radar"]["peers"] == [None, None, None]


# -- approved and submitted ----------------------------------------------------------------


@pytest.fixture
def one_submitted(tree, erin):
    return build_scored(tree, erin, leave_submitted=("A1c",))


def test_submitted_data_is_left_out_by_default(client_for, erin, tree, one_submitted):
    response = client_for(erin).get(url(tree.a1))
    data = chart_data(response)
    a1c = next(row for row in data["ranking"] if row["name"] == "甲一第三支部")
    assert a1c["provisional"] is None
    badges = page(response).select(".dash-badge-submitted")
    assert all(badge.find_parent("header") for badge in badges)  # at most the legend above


def test_the_switch_shows_submitted_scores_marked(client_for, erin, tree, one_submitted):
    response = client_for(erin).get(url(tree.a1, submitted=1))
    data = chart_data(response)
    assert data["submitted"] is True
    a1c = next(row for row in data["ranking"] if row["name"] == "甲一第三支部")
    assert a1c["provisional"] == 70.0  # 3 of 12 study sessions, meetings held
    row = page(response).within('tr[data-org="A1c"]')
    submission = one_submitted.current.submissions.get(organization=one_submitted.a1c)
    provisional = row.link(reverse("assessment:submission", args=[submission.pk]))
    assert provisional.select_one(".dash-badge-submitted")
    assert text_of(provisional).endswith(" 70.0")
    # Roll-ups are untouched: the stored score of A1c stays what its missing approval gives.
    assert not SubjectScore.objects.filter(submission=submission).exists()


def test_the_switch_folds_submitted_values_into_the_weak_indicators(
    client_for, erin, tree, one_submitted
):
    data = chart_data(client_for(erin).get(url(tree.a1, submitted=1)))
    c101 = next(item for item in data["weak"] if item["name"].startswith("C1.01"))
    assert c101["average"] == 75.0  # A1a 0.5 and A1b 1.0
    assert c101["withSubmitted"] == 58.3  # with A1c's 0.25


def test_the_switch_keeps_to_links(client_for, erin, tree, one_submitted):
    data = chart_data(client_for(erin).get(url(tree.a1, submitted=1)))
    assert all("submitted=1" in row["url"] for row in data["ranking"])


# -- drill-downs ---------------------------------------------------------------------------


def test_a_weak_indicator_lists_its_weakest_subjects_with_their_submissions(
    client_for, erin, tree, scored
):
    response = client_for(erin).get(url(tree.group, indicator="C1.01"))
    drill = response.context["drill"]
    assert [line.subject for line in drill.lines] == [
        "甲一第三支部",
        "甲一第一支部",
        "乙一支部",
        "甲一第二支部",
    ]
    assert [line.fraction for line in drill.lines] == [0.25, 0.5, 0.75, 1.0]
    first = one_submission(scored.current, scored.a1c)
    assert page(response).refers_to(reverse("assessment:submission", args=[first]))


def test_a_grade_bar_lists_its_subjects(client_for, erin, tree, scored):
    response = client_for(erin).get(url(tree.group, kind="branch", grade="D"))
    assert [line.subject for line in response.context["drill"].lines] == ["甲一第二支部"]


def test_a_secretary_drills_only_into_their_own_subtree(client_for, alice, tree, scored):
    response = client_for(alice).get(url(tree.a1a, indicator="C1.01"))
    assert [line.subject for line in response.context["drill"].lines] == ["甲一第一支部"]


@pytest.mark.parametrize(
    "params",
    [{"indicator": "X9.99"}, {"kind": "branch", "grade": "Z"}, {"kind": "nope", "grade": "A"}],
)
def test_an_unknown_drill_down_is_reported(client_for, erin, tree, scored, params):
    response = client_for(erin).get(url(tree.group, **params))
    assert response.status_code == 200
    assert response.context["drill"] is None
    assert list(response.context["messages"])


def one_submission(period, organization) -> int:
    return period.submissions.get(organization=organization).pk


# -- rectification --------------------------------------------------------------------------


def test_open_rectifications_of_the_subtree_are_counted(client_for, erin, tree, scored):
    import datetime

    from rectification.models import Rectification

    Rectification.objects.all().delete()  # whatever the scoring opened: these two only
    RectificationFactory(
        organization=tree.a1a,
        period=scored.current,
        indicator_code="C1.01",
        due_date=datetime.date(2000, 1, 1),
    )
    RectificationFactory(organization=tree.b1, period=scored.current, indicator_code="C1.01")
    response = client_for(erin).get(url(tree.a))
    summary = response.context["rectifications"]
    assert (summary.open, summary.overdue, summary.closed) == (1, 1, 0)
    assert "C1.01" in page(response).text('#rectifications [data-table="rectifications"] tbody')


# -- what is cached, and when it is not any more ---------------------------------------------


def test_the_weak_indicators_follow_a_new_approval(
    client_for, erin, tree, scored, django_capture_on_commit_callbacks
):
    """They are cached per period; rescoring a subject (here: reopen and approve again with
    other values) must show at once."""
    from assessment.models import Submission
    from assessment.services import submissions

    client = client_for(erin)
    before = {i["name"]: i["average"] for i in chart_data(client.get(url(tree.group)))["weak"]}
    assert before["C1.01 理论学习次数"] == 62.5
    submission = Submission.objects.get(period=scored.current, organization=tree.a1b)
    with django_capture_on_commit_callbacks(execute=True):  # the rescore runs after commit
        submission = submissions.reopen(submission, reason="recount", acting_user=erin)
        submissions.save_values(
            submission, {"C1.01": "0"}, version=submission.version, acting_user=erin
        )
        submissions.approve(submissions.submit(submission, acting_user=erin), acting_user=erin)
    after = {i["name"]: i["average"] for i in chart_data(client.get(url(tree.group)))["weak"]}
    assert after["C1.01 理论学习次数"] < before["C1.01 理论学习次数"]


def test_the_rectification_counts_follow_a_closure(
    client_for, erin, tree, scored, django_capture_on_commit_callbacks
):
    """Cached until an item changes: confirming a closure moves the counts at once."""
    from rectification.models import Rectification

    item = Rectification.objects.filter(organization__path__startswith=tree.a.path).first()
    assert item is not None, "the scores opened no rectification item in A's subtree"
    client = client_for(erin)
    before = client.get(url(tree.a)).context["rectifications"]
    Rectification.objects.filter(pk=item.pk).update(state=Rectification.State.CLOSURE_REQUESTED)
    item.refresh_from_db()
    from rectification import services

    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(item, acting_user=erin, version=item.version)
    after = client.get(url(tree.a)).context["rectifications"]
    assert (after.open, after.closed) == (before.open - 1, before.closed + 1)


def test_the_dashboard_leads_to_a_term_report_of_its_organization(client_for, erin, tree, scored):
    assert page(client_for(erin).get(url(tree.a))).link(f"/reports/new/?organization={tree.a.pk}")
    form = client_for(erin).get(f"/reports/new/?organization={tree.a.pk}")
    assert form.context["chosen"] == tree.a


def test_cached_rectifications_keep_to_the_readers_language(client_for, erin, tree, scored):
    import datetime

    from rectification.models import Rectification

    Rectification.objects.all().delete()
    RectificationFactory(
        organization=tree.a1a,
        period=scored.current,
        indicator_code="C1.01",
        due_date=datetime.date(2000, 1, 1),
    )
    client = client_for(erin)
    chinese = client.get(url(tree.a)).context["rectifications"].items[0].indicator_name
    english = client.get(url(tree.a), HTTP_ACCEPT_LANGUAGE="en")
    assert english.context["rectifications"].items[0].indicator_name != chinese
