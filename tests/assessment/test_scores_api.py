"""/api/v1/scores/ and /api/v1/rollups/: scoped, filtered, explained."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.routers import SimpleRouter

from assessment.api import scores as api
from tests.builders import recompute

from .test_scores_support import (
    FULL,
    WEAK,
    _peer_ranks_at_once,  # noqa: F401  (an autouse fixture)
    set_values,
    submission_of,
)

pytestmark = pytest.mark.django_db

SCORES, ROLLUPS = "/api/v1/scores/", "/api/v1/rollups/"


@pytest.fixture
def scored(period, tree):
    set_values(submission_of(period, tree.a1a), FULL)
    set_values(submission_of(period, tree.a1b), WEAK)
    recompute(period)
    return period


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["organization"]["code"] for row in response.json()["results"])


def totals(client, period, **params) -> list[str]:
    return codes(client.get(ROLLUPS, {"period": period.pk, "total": "true", **params}))


class TestScope:
    def test_a_branch_secretary_sees_only_their_own_unit(self, scored, alice, client_for):
        client = client_for(alice)
        assert codes(client.get(SCORES)) == ["A1a"]
        assert totals(client, scored) == ["A1a"]

    def test_a_committee_reviewer_sees_the_subtree(self, scored, carol, client_for):
        client = client_for(carol)
        assert codes(client.get(SCORES)) == ["A1a", "A1b"]
        assert totals(client, scored) == ["A", "A1", "A1a", "A1b"]

    def test_someone_without_a_role_sees_nothing(self, scored, frank, client_for):
        client = client_for(frank)
        assert codes(client.get(SCORES)) == []
        assert codes(client.get(ROLLUPS)) == []

    def test_outside_the_scope_is_a_404(self, scored, tree, alice, client_for):
        from assessment.models import Rollup, SubjectScore

        other = SubjectScore.objects.get(organization=tree.a1b)
        row = Rollup.objects.get(organization=tree.group, dimension="")
        client = client_for(alice)
        assert client.get(f"{SCORES}{other.pk}/").status_code == 404
        assert client.get(f"{ROLLUPS}{row.pk}/").status_code == 404

    def test_anonymous_callers_are_refused(self, scored, client):
        assert client.get(ROLLUPS).status_code in (401, 403)


class TestRollups:
    def test_a_row_says_how_it_was_made(self, scored, tree, erin, client_for):
        rows = client_for(erin).get(
            ROLLUPS, {"period": scored.pk, "organization": tree.a1.pk, "total": "true"}
        )
        (row,) = rows.json()["results"]
        assert row["dimension"] is None
        assert (row["score"], row["grade"], row["stars"]) == (60, "C", 2)
        assert (row["expected"], row["approved"], row["completeness"]) == (2, 2, 1)
        assert row["rank_siblings"] == 1
        assert row["explanation"]["children"]["items"] == [
            [tree.a1a.pk, 1.0, 100.0],
            [tree.a1b.pk, 1.0, 20.0],
        ]

    def test_filter_by_dimension(self, scored, erin, client_for):
        response = client_for(erin).get(ROLLUPS, {"period": scored.pk, "dimension": "C1"})
        rows = response.json()["results"]
        assert {row["dimension"] for row in rows} == {"C1"}
        assert len(rows) == 7

    def test_only_the_dimensions(self, scored, erin, client_for):
        response = client_for(erin).get(ROLLUPS, {"period": scored.pk, "total": "false"})
        assert None not in {row["dimension"] for row in response.json()["results"]}

    def test_within_a_subtree_and_children_of_one(self, scored, tree, carol, client_for):
        client = client_for(carol)
        assert totals(client, scored, within=tree.a1.pk) == ["A1", "A1a", "A1b"]
        assert totals(client, scored, parent=tree.a1.pk) == ["A1a", "A1b"]
        assert totals(client, scored, within=tree.b.pk) == []  # B is outside carol's scope

    def test_peers_ranked_best_first(self, scored, erin, client_for):
        response = client_for(erin).get(
            ROLLUPS,
            {
                "period": scored.pk,
                "total": "true",
                "kind": "branch",
                "depth": 3,
                "ordering": "rank_peers",
            },
        )
        rows = response.json()["results"]
        assert [(r["organization"]["code"], r["rank_peers"]) for r in rows] == [
            ("A1a", 1),
            ("A1b", 2),
        ]

    def test_a_list_costs_the_same_queries_however_long(self, scored, erin, client_for):
        client = client_for(erin)
        client.get(ROLLUPS)  # the session and the user's grants, once
        with CaptureQueriesContext(connection) as short:
            client.get(ROLLUPS, {"period": scored.pk, "limit": 2})
        with CaptureQueriesContext(connection) as long:
            client.get(ROLLUPS, {"period": scored.pk, "limit": 200})
        assert len(short) == len(long)


class TestScores:
    def test_the_detail_lists_every_indicator_with_its_provenance(
        self, scored, tree, alice, client_for
    ):
        from assessment.models import SubjectScore

        score = SubjectScore.objects.get(organization=tree.a1a)
        body = client_for(alice).get(f"{SCORES}{score.pk}/").json()
        assert (body["total"], body["grade"], body["stars"], body["vetoed"]) == (
            100,
            "A",
            5,
            False,
        )
        assert body["subject_name"] == tree.a1a.name
        assert body["inputs"] == {"C1.01": 12, "C2.01": True}
        assert [i["code"] for i in body["indicators"]] == ["C1.01", "C2.01"]
        first = body["indicators"][0]
        assert (first["points"], first["max"], first["status"], first["value"]) == (
            40,
            40,
            "scored",
            12,
        )
        assert first["provenance"]["intermediates"]["fraction"] == 1

    def test_a_list_leaves_the_indicators_to_the_detail(self, scored, carol, client_for):
        row = client_for(carol).get(SCORES).json()["results"][0]
        assert "indicators" not in row
        assert "inputs" not in row

    def test_dimension_narrows_each_scores_dimensions(self, scored, carol, client_for):
        response = client_for(carol).get(SCORES, {"period": scored.pk, "dimension": "G1"})
        for row in response.json()["results"]:
            assert [d["code"] for d in row["dimensions"]] == ["G1"]
        weak = next(r for r in response.json()["results"] if r["total"] == 20)
        assert weak["dimensions"][0] == {
            "code": "G1",
            "points": 0,
            "max": 0,
            "also_points": 20,
            "also_max": 40,
            "bonus": 0,
            "share": 0.5,
        }

    def test_filters(self, scored, tree, carol, client_for):
        client = client_for(carol)
        assert codes(client.get(SCORES, {"organization": tree.a1b.pk})) == ["A1b"]
        assert codes(client.get(SCORES, {"grade": "A"})) == ["A1a"]
        assert codes(client.get(SCORES, {"within": tree.a1.pk, "subject_kind": "branch"})) == [
            "A1a",
            "A1b",
        ]


def test_the_schema_of_the_score_endpoints_has_no_warnings():
    router = SimpleRouter()
    router.register("scores", api.SubjectScoreViewSet, basename="score")
    router.register("rollups", api.RollupViewSet, basename="rollup")
    GENERATOR_STATS.reset()

    schema = SchemaGenerator(patterns=[path("api/v1/", include(router.urls))]).get_schema(
        request=None, public=True
    )

    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular emitted warnings or errors"
    assert {"/api/v1/scores/", "/api/v1/rollups/{id}/"} <= set(schema["paths"])
