"""The workflow API: periods, scoped submissions, saving values, workflow steps, history, evidence.

The tree (tests/conftest.py): G → A → A1 → {A1a, A1b}, G → B → B1. alice is secretary of A1a, bob
of its sibling A1b, carol reviewer and dave auditor on A, erin administrator on G, frank has no
role. Opening a period of the small framework creates submissions for A1a, A1b and B1.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from assessment.api import urls as assessment_api_urls
from assessment.choices import PeriodStatus, SubmissionState
from assessment.models import Evidence, IndicatorValue, Submission
from assessment.services import submissions
from tests.factories import FrameworkFactory, PeriodFactory, SubmissionFactory
from tests.factories.credentials import api_token

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
COMPLETE = {"C1.01": "10", "C2.01": "yes"}


@pytest.fixture
def api_for():
    """An API client authenticated by a real token, as another system would call us."""

    def make(user) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return client

    return make


def url(submission: Submission | int | None = None, step: str | None = None) -> str:
    if submission is None:
        return "/api/v1/submissions/"
    pk = submission if isinstance(submission, int) else submission.pk
    return f"/api/v1/submissions/{pk}/{step}/" if step else f"/api/v1/submissions/{pk}/"


def org_codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["organization"]["code"] for row in response.json()["results"])


def upload(client: APIClient, submission: Submission, *, content: bytes = PDF, name="会议记录.pdf"):
    return client.post(
        url(submission, "evidence"),
        {"indicator": "C2.01", "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def fill(client: APIClient, submission: Submission) -> dict:
    submission.refresh_from_db()
    response = client.patch(
        url(submission), {"version": submission.version, "values": COMPLETE}, format="json"
    )
    assert response.status_code == 200, response.content
    assert upload(client, submission).status_code == 201
    return response.json()


@pytest.fixture
def a1b(period, tree) -> Submission:
    return period.submissions.get(organization=tree.a1b)


# Authentication and scope


@pytest.mark.parametrize("target", ["/api/v1/periods/", "/api/v1/submissions/"])
def test_lists_need_authentication(period, target):
    assert APIClient().get(target).status_code == 401


def test_details_and_steps_need_authentication(submission):
    client = APIClient()
    assert client.get(url(submission)).status_code == 401
    assert client.patch(url(submission), {}, format="json").status_code == 401
    assert client.post(url(submission, "submit")).status_code == 401
    assert client.get(url(submission, "history")).status_code == 401


@pytest.mark.parametrize(
    ("username", "codes"),
    [
        ("alice", ["A1a"]),
        ("bob", ["A1b"]),
        ("carol", ["A1a", "A1b"]),
        ("dave", ["A1a", "A1b"]),
        ("erin", ["A1a", "A1b", "B1"]),
        ("frank", []),
    ],
)
def test_the_submission_list_is_scoped(api_for, request, period, username, codes):
    user = request.getfixturevalue(username)
    assert org_codes(api_for(user).get(url())) == codes


def test_a_submission_outside_the_scope_is_404_for_every_method(api_for, alice, a1b):
    client = api_for(alice)
    assert client.get(url(a1b)).status_code == 404
    patch = client.patch(url(a1b), {"version": 1, "values": COMPLETE}, format="json")
    assert patch.status_code == 404
    for step in ("submit", "return", "approve", "reopen", "history", "evidence"):
        method = client.get if step == "history" else client.post
        assert method(url(a1b, step)).status_code == 404, step
    a1b.refresh_from_db()
    assert a1b.version == 1
    assert a1b.state == SubmissionState.DRAFT


def test_an_id_that_does_not_exist_looks_the_same(api_for, alice, a1b):
    client = api_for(alice)
    assert client.get(url(999_999)).json() == client.get(url(a1b)).json()


# Periods


def test_periods_are_listed_for_everyone_signed_in(api_for, period, frank):
    data = api_for(frank).get("/api/v1/periods/").json()
    assert [row["id"] for row in data["results"]] == [period.pk]
    row = data["results"][0]
    assert row["name"] == {"zh": "2026年度", "en": "Year 2026"}
    assert row["status"] == "open"
    assert row["framework"]["code"] == "TEST"
    assert row["deadline"] == "2027-01-15"


def test_periods_filter_by_status_kind_and_framework(api_for, period, published_framework, alice):
    planned = PeriodFactory(
        framework=published_framework,
        kind="quarter",
        name="第四季度",
        name_en="Q4",
        start=datetime.date(2026, 10, 1),
        end=datetime.date(2026, 12, 31),
        deadline=datetime.date(2027, 1, 10),
        opened=False,
    )
    client = api_for(alice)

    def ids(**params) -> list[int]:
        response = client.get("/api/v1/periods/", params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(status="planned") == [planned.pk]
    assert ids(status="open") == [period.pk]
    assert ids(kind="year") == [period.pk]
    assert sorted(ids(framework=published_framework.pk)) == sorted([period.pk, planned.pk])
    assert ids(framework=999_999) == []
    assert client.get(f"/api/v1/periods/{planned.pk}/").json()["status"] == PeriodStatus.PLANNED


# Submission filters and detail


def test_submissions_filter_by_period_state_organization_and_kind(
    api_for, period, submission, tree, alice, carol
):
    fill(api_for(alice), submission)
    submissions.submit(submission, acting_user=alice)
    client = api_for(carol)
    assert org_codes(client.get(url(), {"state": "submitted"})) == ["A1a"]
    assert org_codes(client.get(url(), {"state": "draft"})) == ["A1b"]
    assert org_codes(client.get(url(), {"organization": tree.a1b.pk})) == ["A1b"]
    assert org_codes(client.get(url(), {"period": period.pk})) == ["A1a", "A1b"]
    assert org_codes(client.get(url(), {"period": 999_999})) == []
    assert org_codes(client.get(url(), {"subject_kind": "branch"})) == ["A1a", "A1b"]
    assert org_codes(client.get(url(), {"subject_kind": "department"})) == []


def test_within_filters_a_subtree_and_is_empty_outside_the_scope(api_for, period, tree, carol):
    client = api_for(carol)
    assert org_codes(client.get(url(), {"within": tree.a1.pk})) == ["A1a", "A1b"]
    assert org_codes(client.get(url(), {"within": tree.a1b.pk})) == ["A1b"]
    assert org_codes(client.get(url(), {"within": tree.b.pk})) == []
    assert client.get(url(), {"within": "x"}).status_code == 400


def test_the_detail_has_values_version_evidence_and_transitions(api_for, submission, alice, carol):
    fill(api_for(alice), submission)
    submissions.submit(submission, acting_user=alice)
    submissions.return_submission(submission, reason="请补充", acting_user=carol)

    data = api_for(carol).get(url(submission)).json()

    assert data["version"] == 2
    assert data["state"] == "returned"
    assert data["values"] == {
        "C1.01": {"value": 10, "reviewed_value": None, "review_reason": ""},
        "C2.01": {"value": True, "reviewed_value": None, "review_reason": ""},
    }
    steps = [(t["from_state"], t["to_state"], t["by"], t["reason"]) for t in data["transitions"]]
    assert steps == [
        ("draft", "submitted", "alice", ""),
        ("submitted", "returned", "carol", "请补充"),
    ]
    assert [(e["indicator"], e["original_name"]) for e in data["evidence"]] == [
        ("C2.01", "会议记录.pdf")
    ]
    assert (data["can_enter"], data["can_review"]) == (False, True)
    assert data["organization"]["code"] == "A1a"
    assert "path" not in str(data["organization"])


# Saving values


def test_patch_saves_values_and_answers_the_new_version(api_for, submission, alice):
    response = api_for(alice).patch(
        url(submission), {"version": 1, "values": {"C1.01": "8"}}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    assert response.json()["values"]["C1.01"]["value"] == 8
    assert IndicatorValue.objects.get(submission=submission).value == 8


def test_a_stale_patch_is_409_with_the_current_version_and_changes_nothing(
    api_for, submission, alice
):
    client = api_for(alice)
    client.patch(url(submission), {"version": 1, "values": {"C1.01": "8"}}, format="json")

    response = client.patch(
        url(submission), {"version": 1, "values": {"C1.01": "3"}}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert "version 2" in body["detail"]
    assert [(c["indicator"], c["old"], c["new"], c["changed_by"]) for c in body["changes"]] == [
        ("C1.01", None, 8, "alice")
    ]
    submission.refresh_from_db()
    assert submission.version == 2
    assert IndicatorValue.objects.get(submission=submission).value == 8


def test_invalid_values_are_400_per_code_and_change_nothing(api_for, submission, alice):
    response = api_for(alice).patch(
        url(submission),
        {"version": 1, "values": {"C1.01": "3.5", "C2.01": "maybe", "X9": "1"}},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"C1.01", "C2.01", "X9"}
    assert response.json()["detail"]
    submission.refresh_from_db()
    assert submission.version == 1
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"values": {"C1.01": "8"}},
        {"version": 1},
        {"version": 1, "values": {}},
        {"version": 1, "values": ["C1.01"]},
        {"version": "one", "values": {"C1.01": "8"}},
    ],
)
def test_a_malformed_patch_is_400(api_for, submission, alice, body):
    assert api_for(alice).patch(url(submission), body, format="json").status_code == 400
    submission.refresh_from_db()
    assert submission.version == 1


def test_a_reviewer_patching_values_is_403(api_for, submission, carol):
    response = api_for(carol).patch(
        url(submission), {"version": 1, "values": {"C1.01": "8"}}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "You do not enter data for this organization."
    assert not IndicatorValue.objects.exists()


def test_put_is_not_offered(api_for, submission, alice):
    response = api_for(alice).put(url(submission), {"version": 1, "values": {}}, format="json")
    assert response.status_code == 405


# Workflow steps


def test_submitting_an_incomplete_submission_lists_what_is_missing(api_for, submission, alice):
    response = api_for(alice).post(url(submission, "submit"))

    assert response.status_code == 400
    missing = response.json()["missing"]
    assert len(missing) == 2
    assert any("C1.01" in m for m in missing)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.DRAFT


def test_the_whole_cycle_through_the_api(api_for, submission, alice, carol, erin):
    secretary, reviewer = api_for(alice), api_for(carol)
    fill(secretary, submission)

    submitted = secretary.post(url(submission, "submit"))
    assert (submitted.status_code, submitted.json()["state"]) == (200, "submitted")

    no_reason = reviewer.post(url(submission, "return"), {"reason": "  "}, format="json")
    assert no_reason.status_code == 400
    assert "why" in no_reason.json()["detail"]

    returned = reviewer.post(url(submission, "return"), {"reason": "缺少签字"}, format="json")
    assert (returned.status_code, returned.json()["state"]) == (200, "returned")

    assert secretary.post(url(submission, "submit")).json()["state"] == "submitted"
    approved = reviewer.post(url(submission, "approve"), {"comment": "好"}, format="json")
    assert (approved.status_code, approved.json()["state"]) == (200, "approved")
    assert approved.json()["transitions"][-1]["reason"] == "好"

    reopened = api_for(erin).post(url(submission, "reopen"), {"reason": "数据有误"}, format="json")
    assert (reopened.status_code, reopened.json()["state"]) == (200, "returned")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.RETURNED


def test_approve_without_a_comment(api_for, submission, alice, carol):
    fill(api_for(alice), submission)
    api_for(alice).post(url(submission, "submit"))
    assert api_for(carol).post(url(submission, "approve")).json()["state"] == "approved"


def test_a_step_in_the_wrong_state_is_400_with_the_message(api_for, submission, carol):
    response = api_for(carol).post(url(submission, "approve"))
    assert response.status_code == 400
    assert response.json()["detail"] == "Only a submitted submission can be approved."


def test_steps_someone_may_not_take_are_403(api_for, submission, alice, carol, dave):
    fill(api_for(alice), submission)
    api_for(alice).post(url(submission, "submit"))
    assert api_for(alice).post(url(submission, "approve")).status_code == 403
    assert api_for(dave).post(url(submission, "approve")).status_code == 403
    response = api_for(carol).post(url(submission, "reopen"), {"reason": "x"}, format="json")
    assert response.status_code == 403
    submission.refresh_from_db()
    assert submission.state == SubmissionState.SUBMITTED


def test_a_reviewer_assesses_judgement_values_with_reviewed(
    api_for, framework_doc, tree, alice, carol
):
    framework_doc["indicators"][0]["assessed"] = True
    period = PeriodFactory(framework=FrameworkFactory(document=framework_doc))
    submission = period.submissions.get(organization=tree.a1a)
    fill(api_for(alice), submission)
    api_for(alice).post(url(submission, "submit"))
    client = api_for(carol)

    unexplained = client.patch(
        url(submission),
        {"version": 2, "values": {"C1.01": "6"}, "reviewed": True},
        format="json",
    )
    assert unexplained.status_code == 400
    assert set(unexplained.json()["errors"]) == {"C1.01"}

    response = client.patch(
        url(submission),
        {"version": 2, "values": {"C1.01": "6"}, "reviewed": True, "reasons": {"C1.01": "核减"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["values"]["C1.01"] == {
        "value": 10,
        "reviewed_value": 6,
        "review_reason": "核减",
    }


# History and evidence


def test_history_lists_the_changes_newest_first(api_for, submission, alice):
    client = api_for(alice)
    client.patch(url(submission), {"version": 1, "values": {"C1.01": "8"}}, format="json")
    client.patch(
        url(submission), {"version": 2, "values": {"C1.01": "9", "C2.01": "no"}}, format="json"
    )

    rows = client.get(url(submission, "history")).json()["results"]

    assert [(r["indicator"], r["old"], r["new"], r["version"]) for r in rows] == [
        ("C2.01", None, False, 3),
        ("C1.01", 8, 9, 3),
        ("C1.01", None, 8, 2),
    ]
    assert {r["changed_by"] for r in rows} == {"alice"}
    only = client.get(url(submission, "history"), {"indicator": "C2.01"}).json()["results"]
    assert [r["new"] for r in only] == [False]


def test_evidence_is_uploaded_and_described(api_for, submission, alice):
    response = upload(api_for(alice), submission)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["indicator"] == "C2.01"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    assert body["uploaded_by"] == "alice"
    assert Evidence.objects.get(submission=submission).sha256 == body["sha256"]


def test_a_refused_file_is_400_with_the_reason(api_for, submission, alice):
    response = upload(api_for(alice), submission, content=b"<html></html>", name="x.pdf")
    assert response.status_code == 400
    assert "not accepted" in response.json()["detail"]
    assert not Evidence.objects.exists()


def test_evidence_for_an_unknown_indicator_or_without_a_file_is_400(api_for, submission, alice):
    client = api_for(alice)
    unknown = client.post(
        url(submission, "evidence"),
        {"indicator": "X9", "file": SimpleUploadedFile("a.pdf", PDF)},
        format="multipart",
    )
    assert unknown.status_code == 400
    no_file = client.post(url(submission, "evidence"), {"indicator": "C2.01"}, format="multipart")
    assert no_file.status_code == 400
    assert "file" in no_file.json()
    assert not Evidence.objects.exists()


def test_a_reviewer_cannot_upload_evidence(api_for, submission, carol):
    assert upload(api_for(carol), submission).status_code == 403


# Query counts


def _departments(period, org, count: int) -> None:
    for n in range(count):
        SubmissionFactory(
            period=period, organization=org, for_department=True, subject_name=f"部门 {n}"
        )


def test_the_list_costs_the_same_queries_for_few_and_many_rows(
    api_for, period, tree, carol, django_assert_max_num_queries
):
    client = api_for(carol)
    client.get(url())
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url(), {"within": tree.a1.pk}).json()["results"]) == 2
    baseline = len(few)
    _departments(period, tree.a1a, 40)
    with django_assert_max_num_queries(baseline):
        response = client.get(url(), {"within": tree.a1.pk})
    assert len(response.json()["results"]) == 42


def test_the_detail_costs_the_same_queries_for_few_and_many_rows(
    api_for, submission, alice, carol, django_assert_max_num_queries
):
    client = api_for(alice)
    client.patch(url(submission), {"version": 1, "values": {"C1.01": "1"}}, format="json")
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(submission)).status_code == 200
    baseline = len(few)
    fill(client, submission)
    upload(client, submission)
    for n in range(5):
        submission.refresh_from_db()
        submissions.save_values(
            submission, {"C1.01": str(n + 2)}, version=submission.version, acting_user=alice
        )
    submissions.submit(submission, acting_user=alice)
    submissions.return_submission(submission, reason="x", acting_user=carol)
    with django_assert_max_num_queries(baseline):
        data = client.get(url(submission)).json()
    assert (len(data["values"]), len(data["evidence"]), len(data["transitions"])) == (2, 2, 2)


def test_history_costs_the_same_queries_for_few_and_many_changes(
    api_for, submission, alice, django_assert_max_num_queries
):
    client = api_for(alice)
    client.patch(url(submission), {"version": 1, "values": {"C1.01": "1"}}, format="json")
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url(submission, "history")).json()["results"]) == 1
    baseline = len(few)
    for n in range(30):
        submission.refresh_from_db()
        submissions.save_values(
            submission, {"C1.01": str(n + 2)}, version=submission.version, acting_user=alice
        )
    with django_assert_max_num_queries(baseline):
        assert len(client.get(url(submission, "history")).json()["results"]) == 31


# The schema


def test_the_schema_of_the_workflow_endpoints_has_no_warnings():
    patterns = [path("api/v1/", include(assessment_api_urls.urlpatterns))]
    GENERATOR_STATS.reset()

    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)

    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular emitted warnings or errors"
    assert {
        "/api/v1/periods/",
        "/api/v1/periods/{id}/",
        "/api/v1/submissions/",
        "/api/v1/submissions/{id}/",
        "/api/v1/submissions/{id}/submit/",
        "/api/v1/submissions/{id}/return/",
        "/api/v1/submissions/{id}/approve/",
        "/api/v1/submissions/{id}/reopen/",
        "/api/v1/submissions/{id}/history/",
        "/api/v1/submissions/{id}/evidence/",
    } <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/submissions/{id}/"]) == {"get", "patch"}
