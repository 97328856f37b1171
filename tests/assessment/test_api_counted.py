"""Saving values counted from records through the API: `overrides` gives the reason for a value
other than the count; without it the value is a 400 in the caller's language, and a value that
is null or equal to the count follows the count again.

The tree of tests/conftest.py with the sourced framework (tests/sources_data.py): branch A1a's
submission is alice's; M1 counts its committee meetings (one on record), X1 is typed.
"""

import pytest
from django.urls import include, path
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from assessment.api import urls as assessment_api_urls
from assessment.models import IndicatorValue, Submission
from assessment.services import counted
from tests.factories.credentials import api_token
from tests.factories.records import MeetingFactory
from tests.sources_data import sourced_framework

pytestmark = pytest.mark.django_db

REASON = "另有三次会议在上级党委召开"


@pytest.fixture
def framework_doc() -> dict:
    return sourced_framework()


@pytest.fixture
def submission(period, tree):
    MeetingFactory(organization=tree.a1a)
    own = period.submissions.get(organization=tree.a1a, subject_unit="organization")
    counted.recount_submission(own)
    return own


def api(user, language: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def patch(client: APIClient, submission: Submission, **body):
    submission.refresh_from_db()
    return client.patch(
        f"/api/v1/submissions/{submission.pk}/",
        {"version": submission.version, **body},
        format="json",
    )


def m1(submission) -> tuple:
    row = IndicatorValue.objects.get(submission=submission, indicator__code="M1")
    return row.value, row.counted, row.override_reason


def test_a_value_other_than_the_count_is_saved_with_its_reason(submission, alice):
    response = patch(api(alice), submission, values={"M1": "4"}, overrides={"M1": REASON})
    assert response.status_code == 200, response.content
    assert response.json()["values"]["M1"]["value"] == 4
    assert m1(submission) == (4, 1, REASON)


def test_without_a_reason_it_is_a_400_naming_the_indicator_and_nothing_is_saved(submission, alice):
    response = patch(api(alice), submission, values={"M1": "4", "X1": "2"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"M1": "Give a reason for overriding the counted value."}
    assert m1(submission) == (1, 1, "")
    assert not IndicatorValue.objects.filter(submission=submission, indicator__code="X1").exists()


def test_the_400_is_in_the_callers_language(submission, alice):
    response = patch(api(alice, "zh-hans"), submission, values={"M1": "4"}, overrides={"M1": " "})
    assert response.status_code == 400
    assert response.json()["errors"]["M1"] == "请说明改用其他数值而不采用统计值的理由。"


def test_null_or_the_count_follows_the_count_again(submission, alice):
    client = api(alice)
    patch(client, submission, values={"M1": "4"}, overrides={"M1": REASON})
    assert patch(client, submission, values={"M1": None}).status_code == 200
    assert m1(submission) == (1, 1, "")

    patch(client, submission, values={"M1": "4"}, overrides={"M1": REASON})
    assert (
        patch(client, submission, values={"M1": "1"}, overrides={"M1": REASON}).status_code == 200
    )
    assert m1(submission) == (1, 1, "")


def test_a_reason_for_a_value_not_sent_is_a_400(submission, alice):
    response = patch(api(alice), submission, values={"X1": "2"}, overrides={"M1": REASON})
    assert response.status_code == 400
    assert "M1" in str(response.json()["overrides"])
    assert not IndicatorValue.objects.filter(submission=submission, indicator__code="X1").exists()


def test_a_reviewer_sends_no_overrides(submission, carol):
    response = patch(
        api(carol), submission, values={"M1": "4"}, overrides={"M1": REASON}, reviewed=True
    )
    assert response.status_code == 400
    assert response.json()["overrides"]


@pytest.mark.parametrize("overrides", [["M1"], {"M1": None}, {"M1": "理" * 2001}, "M1"])
def test_malformed_overrides_are_400(submission, alice, overrides):
    response = patch(api(alice), submission, values={"M1": "4"}, overrides=overrides)
    assert response.status_code == 400
    assert "overrides" in response.json()
    assert m1(submission) == (1, 1, "")


def test_the_schema_documents_overrides():
    patterns = [path("api/v1/", include(assessment_api_urls.urlpatterns))]
    with translation.override("en"):  # the schema is read in the language active
        schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/submissions/{id}/"]["patch"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    overrides = component["properties"]["overrides"]
    assert overrides["type"] == "object"
    assert overrides["additionalProperties"]["maxLength"] == 2000
    assert "counted from records" in overrides["description"]
