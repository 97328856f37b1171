"""The committee dashboard in a real browser.

A reviewer of the whole group opens their dashboard: every chart draws, a branch is reached by
drilling down, a score's explanation opens in the side panel, and the page prints to A4. A
branch secretary reaches their own dashboard but not their sibling's.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from organizations.services import assign_role
from tests.builders import build_scored
from tests.factories import PASSWORD, UserFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHARTS = ("ranking", "heatmap", "radar", "trend", "grades", "weak")


@pytest.fixture
def scored(live_server, tree, erin):
    reviewer = UserFactory(username="greta")
    assign_role(user=reviewer, organization=tree.group, role="reviewer")
    return build_scored(tree, erin)


def drawn(page, chart: str) -> int:
    """How many shapes the chart's SVG holds, once it holds more than a few (drawn after load)."""
    shapes = f"#chart-{chart} svg :is(path, rect, text)"
    page.wait_for_function("(shapes) => document.querySelectorAll(shapes).length > 3", arg=shapes)
    return page.locator(shapes).count()


def test_the_reviewer_drills_from_the_group_down_to_a_branch(page, live_server, tree, scored):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    login(page, live_server.url, "greta", PASSWORD)
    page.goto(live_server.url + reverse("dashboards:home"))
    assert page.url.startswith(
        live_server.url + reverse("dashboards:organization", args=[tree.group.pk])
    )
    for chart in CHARTS:
        assert drawn(page, chart) > 3, f"the {chart} chart is empty"
    assert errors == []

    # The ranking's table link opens committee A, its own ranking the general branch A1, …
    page.locator("[data-table=ranking] a", has_text="甲公司党委").click()
    expect(page).to_have_url(re.compile(f"/dashboards/organizations/{tree.a.pk}/"))
    page.locator("[data-table=ranking] a", has_text="甲一党总支").click()
    expect(page).to_have_url(re.compile(f"/dashboards/organizations/{tree.a1.pk}/"))
    drawn(page, "ranking")

    # … where a click on a bar of the ranking chart opens the branch it stands for.
    best = page.evaluate(
        "() => JSON.parse(document.getElementById('dash-data').textContent).ranking[0]"
    )
    point = page.evaluate(
        """(best) => {
            const chart = echarts.getInstanceByDom(document.getElementById('chart-ranking'));
            return chart.convertToPixel({seriesIndex: 0}, [best.score / 2, best.name]);
        }""",
        best,
    )
    box = page.locator("#chart-ranking").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    bar_url = best["url"]
    assert page.url.endswith(bar_url)
    assert f"/dashboards/organizations/{tree.a1a.pk}/" in page.url  # 80: the best of A1


def test_a_weak_indicator_leads_to_a_submission_with_its_evidence(page, live_server, tree, scored):
    login(page, live_server.url, "greta", PASSWORD)
    page.goto(live_server.url + reverse("dashboards:organization", args=[tree.group.pk]))
    page.locator("#weak details summary").click()
    page.locator("[data-table=weak] a").first.click()
    expect(page).to_have_url(re.compile("indicator=C1.01"))
    page.locator("[data-table=drill] a").first.click()
    expect(page).to_have_url(re.compile("/assessment/submissions/"))
    expect(page.locator("body")).to_contain_text("minutes.pdf")


def test_a_score_opens_its_explanation(page, live_server, tree, scored):
    login(page, live_server.url, "greta", PASSWORD)
    page.goto(live_server.url + reverse("dashboards:organization", args=[tree.group.pk]))
    page.locator("[data-tile=score] [data-explain-url]").click()
    panel = page.locator("#explain-panel")
    panel.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('#explain-panel-body').innerText.trim().length > 20"
    )
    assert panel.inner_text().strip()


def test_the_page_prints_to_a4(page, live_server, tree, scored):
    login(page, live_server.url, "greta", PASSWORD)
    page.goto(live_server.url + reverse("dashboards:organization", args=[tree.group.pk]))
    page.wait_for_selector("#chart-weak svg")
    page.emulate_media(media="print")
    expect(page.locator(".portal-brandbar")).to_be_hidden()
    expect(page.locator("[data-dash-controls]")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page") >= 3


def test_a_secretary_sees_their_own_branch_but_not_their_sibling(
    page, live_server, tree, alice, scored
):
    login(page, live_server.url, "alice", PASSWORD)
    page.goto(live_server.url + reverse("dashboards:home"))
    expect(page).to_have_url(re.compile(f"/dashboards/organizations/{tree.a1a.pk}/"))
    expect(page.locator("[data-tile=rank]")).to_contain_text("/ 3")
    assert page.locator("[data-tile=rank]").inner_text().count("/ 3") == 1
    response = page.goto(live_server.url + reverse("dashboards:organization", args=[tree.a1b.pk]))
    assert response.status == 404
