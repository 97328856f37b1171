"""The framework API: the versions, one version's tree, and a trial score that stores nothing."""

import pytest
from django.apps import apps
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from assessment import selectors, services
from assessment.api import urls as assessment_api_urls
from assessment.models import Framework, Indicator
from assessment.scoring import describe_rubric
from assessment.selectors.frameworks import _ENGINE_CACHE
from tests.factories import FrameworkFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/frameworks/"


@pytest.fixture(autouse=True)
def _fresh_engine_cache():
    # The engine cache is keyed by (pk, revision); a rolled-back test's pk is used again.
    _ENGINE_CACHE.clear()
    yield
    _ENGINE_CACHE.clear()


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api_for(api):
    def login(user) -> APIClient:
        api.force_authenticate(user)
        return api

    return login


@pytest.fixture
def published(framework_doc) -> Framework:
    return FrameworkFactory(document=framework_doc)


def detail_url(framework: Framework) -> str:
    return f"{LIST_URL}{framework.pk}/"


def score_url(framework: Framework) -> str:
    return f"{LIST_URL}{framework.pk}/score/"


def test_the_list_has_every_version_with_its_counts(api_for, alice, published):
    draft = services.clone_framework(published, version="2027")

    response = api_for(alice).get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    by_version = {row["version"]: row for row in body["results"]}
    assert by_version["2026"] == {
        "id": published.pk,
        "code": "TEST",
        "version": "2026",
        "status": "published",
        "status_display": "Published",
        "name": {"zh": "测试体系", "en": "Test framework"},
        "total_points": 100.0,
        "published_at": by_version["2026"]["published_at"],
        "cloned_from": None,
        "counts": {"axes": 2, "dimensions": 4, "indicators": 2},
    }
    assert by_version["2027"]["status"] == "draft"
    assert by_version["2027"]["cloned_from"] == published.pk
    assert by_version["2027"]["id"] == draft.pk


def test_the_list_filters_by_status(api_for, alice, published):
    services.clone_framework(published, version="2027")

    response = api_for(alice).get(LIST_URL, {"status": "draft"})

    assert [row["version"] for row in response.json()["results"]] == ["2027"]


def test_the_detail_nests_indicators_in_the_dimension_tree(api_for, alice, published):
    response = api_for(alice).get(detail_url(published))

    assert response.status_code == 200
    body = response.json()
    assert body["goal"] == {"zh": "一个目标", "en": "One goal"}
    assert [band["grade"] for band in body["grade_bands"]] == ["A", "B", "C", "D"]
    assert body["subject_kinds"][0]["code"] == "branch"
    construction, guarantee = body["axes"]
    c1, c2 = construction["dimensions"]
    assert [i["code"] for i in c1["indicators"]] == ["C1.01"]
    assert c2["indicators"] == []
    [life] = c2["children"]
    assert life["code"] == "C2.1"
    [meeting] = life["indicators"]
    assert meeting["id"] == Indicator.objects.get(framework=published, code="C2.01").pk
    assert meeting["rubric"] == {"kind": "yes_no", "yes": 1.0, "no": 0.0}
    assert meeting["evidence_required"] is True
    assert guarantee["dimensions"][0]["indicators"] == []
    study = c1["indicators"][0]
    assert study["also"] == ["G1"]
    assert study["unit"] == {"zh": "次", "en": "times"}
    assert study["description"] is None


def test_the_detail_gives_each_rubric_in_words_in_both_languages(api_for, alice, published):
    study = (
        api_for(alice)
        .get(detail_url(published))
        .json()["axes"][0]["dimensions"][0]["indicators"][0]
    )

    spec = selectors.engine_framework(published).indicator("C1.01")
    assert study["rubric_text"] == {
        "zh": describe_rubric(spec, "zh"),
        "en": describe_rubric(spec, "en"),
    }
    assert "linear" in study["rubric_text"]["en"]


def test_an_unknown_framework_is_a_404(api_for, alice, published):
    assert api_for(alice).get(f"{LIST_URL}{published.pk + 99}/").status_code == 404
    response = api_for(alice).post(
        f"{LIST_URL}{published.pk + 99}/score/",
        {"subject_kind": "branch", "values": {}},
        format="json",
    )
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["get_list", "get_detail", "score"])
def test_signing_in_is_required(api, published, method):
    if method == "get_list":
        response = api.get(LIST_URL)
    elif method == "get_detail":
        response = api.get(detail_url(published))
    else:
        response = api.post(
            score_url(published), {"subject_kind": "branch", "values": {}}, format="json"
        )

    assert response.status_code == 401


# -- the trial score ---------------------------------------------------------------------------


def test_a_known_input_gets_the_known_total_and_grade(api_for, alice, published):
    response = api_for(alice).post(
        score_url(published),
        {"subject_kind": "branch", "values": {"C1.01": 6, "C2.01": True}},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    # C1.01: linear 0 → 12, 6 is half of 40 points; C2.01: yes earns all 60.
    assert body["total"] == 80
    assert body["grade"] == "B"
    assert body["stars"] == 3
    assert {i["code"]: i["points"] for i in body["indicators"]} == {"C1.01": 20, "C2.01": 60}
    assert body["framework"] == "TEST"
    assert body["version"] == "2026"
    assert body["language"] == "en"
    assert any("Grade B" in line for line in body["explanation"])


def test_the_explanation_follows_the_request_language(api_for, alice, published):
    client = api_for(alice)

    response = client.post(
        score_url(published),
        {"subject_kind": "branch", "values": {"C1.01": 12, "C2.01": True}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    body = response.json()
    assert body["language"] == "zh"
    assert body["grade"] == "A"
    assert any("等级 A" in line for line in body["explanation"])


def test_missing_values_score_zero_and_are_listed(api_for, alice, published):
    response = api_for(alice).post(
        score_url(published), {"subject_kind": "branch", "values": {}}, format="json"
    )

    body = response.json()
    assert response.status_code == 200
    assert body["total"] == 0
    assert body["missing"] == ["C1.01", "C2.01"]


def test_an_unknown_subject_kind_is_a_400(api_for, alice, published):
    response = api_for(alice).post(
        score_url(published), {"subject_kind": "nope", "values": {}}, format="json"
    )

    assert response.status_code == 400
    [message] = response.json()["subject_kind"]
    assert "'nope'" in message
    assert "branch" in message


def test_unknown_indicator_codes_are_a_400_listing_them(api_for, alice, published):
    response = api_for(alice).post(
        score_url(published),
        {"subject_kind": "branch", "values": {"C1.01": 3, "Z.9": 1, "X.1": 2}},
        format="json",
    )

    assert response.status_code == 400
    [message] = response.json()["values"]
    assert "X.1, Z.9" in message
    assert "C1.01" not in message


@pytest.mark.parametrize("values", [[1, 2], "C1.01=3", 7])
def test_values_that_are_not_an_object_are_a_400(api_for, alice, published, values):
    response = api_for(alice).post(
        score_url(published), {"subject_kind": "branch", "values": values}, format="json"
    )

    assert response.status_code == 400
    assert "values must be an object" in response.json()["values"][0]


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"'])
def test_a_body_that_is_not_a_json_object_is_a_400(api_for, alice, published, body):
    response = api_for(alice).post(score_url(published), body, content_type="application/json")

    assert response.status_code == 400
    assert "must be a JSON object" in response.json()["detail"]


def test_a_body_that_is_not_sent_as_json_is_refused(api_for, alice, published):
    response = api_for(alice).post(
        score_url(published), {"subject_kind": "branch"}, format="multipart"
    )

    assert response.status_code == 415


def test_a_body_without_the_fields_is_a_400(api_for, alice, published):
    response = api_for(alice).post(score_url(published), {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"detail", "subject_kind", "values"}


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def test_scoring_stores_nothing(api_for, alice, published):
    client = api_for(alice)
    client.get(detail_url(published))  # the engine's view of the version is parsed already
    before = _row_counts()

    response = client.post(
        score_url(published),
        {"subject_kind": "branch", "values": {"C1.01": 6, "C2.01": False}},
        format="json",
    )

    assert response.status_code == 200
    assert _row_counts() == before


def test_a_draft_can_be_tried_too(api_for, alice, framework_doc):
    draft = FrameworkFactory(document=framework_doc, published=False)

    response = api_for(alice).post(
        score_url(draft), {"subject_kind": "branch", "values": {"C1.01": "n/a"}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["not_applicable"] == ["C1.01"]


def test_the_schema_of_the_framework_endpoints_has_no_warnings():
    patterns = [path("api/v1/", include(assessment_api_urls.urlpatterns))]
    GENERATOR_STATS.reset()

    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)

    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular emitted warnings or errors"
    assert {
        "/api/v1/frameworks/",
        "/api/v1/frameworks/{id}/",
        "/api/v1/frameworks/{id}/score/",
    } <= set(schema["paths"])
