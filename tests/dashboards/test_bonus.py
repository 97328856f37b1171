"""Scores above full marks (issue 12, item 4): the bonus is shown apart from the base, and the
charts of totals are scaled to what can be reached (full marks plus every bonus point).

Branch A1a earns full marks (C1.01 at its target, C2.01 yes) and one commendation (C1.90, a
bonus of 1 point each, at most 2): 100 + 1 = 101. Bob's branch A1b has entered nothing and counts
0, so their general branch A1 scores the mean, 50.5, of which 0.5 is bonus.
"""

import copy
import json

import pytest
from django.urls import reverse

from assessment.models import Rollup, SubjectScore
from tests.builders import enter, roll_up
from tests.factories import FrameworkFactory, PeriodFactory
from tests.framework_data import SMALL_FRAMEWORK
from tests.html import Page, page

pytestmark = pytest.mark.django_db

COMMENDATIONS = {
    "code": "C1.90",
    "name": {"zh": "表彰加分", "en": "Commendations"},
    "dimension": "C1",
    "applies_to": ["branch"],
    "value_type": "count",
    "unit": {"zh": "项", "en": "awards"},
    "weight": 0,
    "frequency": "year",
    "rubric": {"kind": "bonus", "per": 1, "cap": 2},
}


@pytest.fixture
def period(tree, erin):
    document = copy.deepcopy(SMALL_FRAMEWORK)
    document["indicators"].append(COMMENDATIONS)
    period = PeriodFactory(framework=FrameworkFactory(document=document), year=2026)
    enter(
        period, tree.a1a, {"C1.01": "12", "C2.01": "yes", "C1.90": "1"}, by=erin, approved_by=erin
    )
    return roll_up(period)


def dashboard(client, org, lang="en") -> Page:
    url = reverse("dashboards:organization", args=[org.pk])
    return page(client.get(url, HTTP_ACCEPT_LANGUAGE=lang))


def score_tile(shown: Page) -> Page:
    return shown.within('[data-tile="score"]')


def chart_data(shown: Page) -> dict:
    return json.loads(shown.one('script#dash-data[type="application/json"]').string)


def test_the_roll_up_records_the_bonus_within_the_total(tree, period):
    row = Rollup.objects.get(period=period, organization=tree.a1a, dimension="")
    assert row.score == pytest.approx(101)
    assert (row.base, row.bonus) == (pytest.approx(100), pytest.approx(1))
    parent = Rollup.objects.get(period=period, organization=tree.a1, dimension="")
    assert (parent.base, parent.bonus) == (pytest.approx(50), pytest.approx(0.5))


def test_the_score_tile_shows_base_and_bonus_apart_in_english(client_for, erin, tree, period):
    tile = score_tile(dashboard(client_for(erin), tree.a1a))
    assert "100.0 + 1.0" in tile.text(".dash-tile-value")
    assert "of 100, plus 1.0 bonus points" in tile.text(".dash-tile-note")
    assert "101.0" not in tile.text()


def test_the_score_tile_shows_base_and_bonus_apart_in_chinese(client_for, erin, tree, period):
    tile = score_tile(dashboard(client_for(erin), tree.a1a, "zh-hans"))
    assert "100.0 + 1.0" in tile.text(".dash-tile-value")
    assert "满分 100，另加分 1.0" in tile.text(".dash-tile-note")


def test_the_ranking_table_shows_a_childs_bonus_apart(client_for, erin, tree, period):
    ranking = dashboard(client_for(erin), tree.a1).within('table[data-table="ranking"]')
    (columns,) = ranking.rows("thead")
    (row,) = ranking.rows('tbody > tr[data-org="A1a"]')
    assert "100.0 + 1.0" in row[columns.index("Score")]


def test_the_charts_of_totals_reach_full_marks_and_every_bonus_point(
    client_for, erin, tree, period
):
    data = chart_data(dashboard(client_for(erin), tree.a1))
    assert data["max"] == 100  # dimensions: never above full marks
    assert data["reach"] == 102  # totals: full marks and the bonus cap of 2
    assert max(row["score"] for row in data["ranking"]) <= data["reach"]


def test_the_score_explanation_separates_the_bonus(client_for, erin, tree, period):
    score = SubjectScore.objects.get(period=period, organization=tree.a1a)
    url = reverse("dashboards:explain_score", args=[score.pk])
    shown = page(client_for(erin).get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert shown.text("[data-base]") == "100.00"
    assert "+ 1.00 bonus" in shown.text("[data-bonus]")
    assert shown.text("[data-total]") == "101.00"


def test_the_entry_page_total_names_its_bonus(client_for, erin, tree, period):
    submission = SubjectScore.objects.get(period=period, organization=tree.a1a).submission
    url = reverse("assessment:submission", args=[submission.pk])
    shown = page(client_for(erin).get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "100 + 1 bonus points" in shown.text("#entry-total [data-bonus]")


def test_an_approval_rolls_the_bonus_up_the_chain(
    tree, erin, period, django_capture_on_commit_callbacks
):
    """The incremental path (one approval) reads the children's bonus back from their rows."""
    with django_capture_on_commit_callbacks(execute=True):
        enter(
            period, tree.a1b, {"C1.01": "6", "C2.01": "no", "C1.90": "2"}, by=erin, approved_by=erin
        )
    parent = Rollup.objects.get(period=period, organization=tree.a1, dimension="")
    assert parent.score == pytest.approx((101 + 22) / 2)  # A1b: 20 of C1.01's 40, and 2 bonus
    assert parent.bonus == pytest.approx((1 + 2) / 2)
