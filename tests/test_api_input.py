"""Bad input to the API is a 400 with a `detail` in the caller's language, never a 500 (issue 12).

Also the API root, /api/v1/, which lists the endpoints.
"""

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from core.parsers import MAX_DEPTH
from tests.factories.credentials import api_token

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def erin_api(erin) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(erin)}")
    return client


def test_json_nested_5000_deep_is_a_400_on_the_token_endpoint_without_signing_in(api):
    response = api.post(TOKEN_URL, nested(5000), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": f"The JSON is nested more than {MAX_DEPTH} levels deep."}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 900, 5000])
def test_json_nested_too_deep_is_a_400_where_the_body_is_read(erin_api, submission, depth):
    body = '{"values": {"C1.01": ' + nested(depth) + "}}"
    for url in (
        f"/api/v1/submissions/{submission.pk}/",
        f"/api/v1/frameworks/{submission.period.framework_id}/score/",
        "/api/v1/reports/",
    ):
        method = erin_api.patch if url.endswith(f"{submission.pk}/") else erin_api.post
        response = method(url, body, content_type="application/json")
        assert response.status_code == 400, (url, response.content)
        assert "nested" in response.json()["detail"]


def test_json_within_the_depth_limit_is_read(api):
    body = '{"username": "x", "password": "y", "extra": ' + nested(MAX_DEPTH - 1) + "}"

    response = api.post(TOKEN_URL, body, content_type="application/json")

    assert response.json() == {"detail": "Unable to sign in with that username and password."}


def test_the_depth_message_follows_the_callers_language():
    response = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans").post(
        TOKEN_URL, nested(5000), content_type="application/json"
    )

    assert response.status_code == 400
    assert "嵌套" in response.json()["detail"]


def test_a_nul_character_in_json_is_a_400(api):
    response = api.post(
        TOKEN_URL, '{"username": "a\\u0000b", "password": "x"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/submissions/{pk}/history/?indicator=%00",
        "/api/v1/organizations/?search=a%00",
        "/api/v1/audit/?user=%00",
        "/api/v1/me/?anything=%00",
    ],
)
def test_a_nul_character_in_a_query_parameter_is_a_400(erin_api, submission, url):
    response = erin_api.get(url.format(pk=submission.pk))

    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_nul_character_in_a_page_form_field_is_a_400_in_plain_words(client_for, erin):
    response = client_for(erin).post("/reports/", {"organization": "1\x00"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "空字符" in response.content.decode()  # the page speaks Chinese by default


def test_a_nul_character_in_a_page_filter_is_a_400(client_for, erin):
    assert client_for(erin).get("/audit/?q=%00").status_code == 400


def test_a_validation_error_body_has_a_detail_beside_the_field_messages(api):
    response = api.post(TOKEN_URL, {"username": "alice"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["password"] == ["This field is required."]
    assert body["detail"] == "Invalid input: password: This field is required."


def test_an_id_beyond_64_bits_in_a_filter_is_a_400(erin_api):
    response = erin_api.get("/api/v1/periods/", {"framework": 10**30})

    assert response.status_code == 400
    assert "framework" in response.json()


def test_an_unknown_address_under_the_api_is_a_json_404(erin_api):
    response = erin_api.get("/api/v1/departments/1.5/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_the_report_list_filters_by_format(erin_api):
    response = erin_api.get("/api/v1/reports/", {"format": "pdf"})

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_the_api_root_lists_every_endpoint_with_its_address(api):
    response = api.get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert body["organizations"] == "http://testserver/api/v1/organizations/"
    assert body["auth/token"] == "http://testserver/api/v1/auth/token/"
    for name in ("submissions", "scores", "rectifications", "reports", "audit", "me", "schema"):
        assert api.options(body[name]).status_code in (200, 401), name


def test_the_api_root_holds_no_data_for_anyone(api, erin_api):
    assert api.get("/api/v1/").json() == erin_api.get("/api/v1/").json()


def _response_schema(path: str, method: str, status: str) -> dict:
    """The OpenAPI schema of one answer, with its component references resolved."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    media = document["paths"][path][method]["responses"][status]["content"]["application/json"]
    components = document["components"]["schemas"]
    return {**media["schema"], "components": {"schemas": components}}


def test_a_body_that_is_not_json_answers_as_the_schema_says(erin_api, submission):
    """GIVEN bytes that are not JSON, WHEN they are sent to save values, THEN the 400 is the one
    error body the schema declares for that answer (found by the API fuzz test: the schema
    required the per-indicator `errors`, which only invalid values carry)."""
    response = erin_api.patch(
        f"/api/v1/submissions/{submission.pk}/", b"\xfe\xff}", content_type="application/json"
    )

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    jsonschema.validate(
        response.json(), _response_schema("/api/v1/submissions/{id}/", "patch", "400")
    )
