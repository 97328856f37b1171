"""A number the scoring engine cannot hold is a clean validation error on every path (issue 12,
item 11): a 401-digit number in a formula gave a traceback in `load_framework` and a 500 on the
indicator edit page.
"""

import copy
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from assessment.scoring.formula import FormulaError, compile_formula
from assessment.scoring.spec import FrameworkError, parse_framework
from tests.assessment.test_framework_views import form_data, rubric_data
from tests.factories import FrameworkFactory
from tests.factories.credentials import api_token
from tests.framework_data import SMALL_FRAMEWORK

HUGE = "1" + "0" * 400  # beyond a float, so beyond what the engine computes with


@pytest.mark.parametrize(
    "expr",
    [HUGE, f"C1.01 * {HUGE}", f"-{HUGE}", f"C1.01 ** {HUGE}", f"C1.01 ** -{HUGE}", "1e400"],
)
def test_a_formula_with_a_number_too_large_is_a_formula_error(expr):
    with pytest.raises(FormulaError, match="too large"):
        compile_formula(expr)


def with_formula(expr: str) -> dict:
    doc = copy.deepcopy(SMALL_FRAMEWORK)
    doc["indicators"][0]["weight"] = 20
    doc["indicators"].append(
        {
            "code": "C1.02",
            "name": {"zh": "学习率", "en": "Study rate"},
            "dimension": "C1",
            "applies_to": ["branch"],
            "value_type": "number",
            "unit": {"zh": "分", "en": "points"},
            "weight": 20,
            "frequency": "year",
            "rubric": {"kind": "formula", "expr": expr, "then": {"kind": "linear", "floor": 0}},
            "target": 1,
        }
    )
    return doc


def test_the_framework_file_names_the_formula_with_the_number_too_large():
    with pytest.raises(FrameworkError) as caught:
        parse_framework(with_formula(f"C1.01 * {HUGE}"))

    assert any("rubric.expr" in error and "too large" in error for error in caught.value.errors)


@pytest.mark.parametrize(
    ("key", "value", "where"),
    [
        ("weight", int(HUGE), "weight"),
        ("target", -int(HUGE), "target"),
        ("plausible", {"min": 0, "max": int(HUGE)}, "plausible.max"),
        ("rubric", {"kind": "linear", "floor": int(HUGE)}, "rubric.floor"),
    ],
)
def test_a_number_too_large_anywhere_in_the_file_is_a_framework_error(key, value, where):
    doc = copy.deepcopy(SMALL_FRAMEWORK)
    doc["indicators"][0][key] = value

    with pytest.raises(FrameworkError) as caught:
        parse_framework(doc)

    assert any(where in error and "too large" in error for error in caught.value.errors)


@pytest.mark.django_db
def test_load_framework_reports_the_number_without_a_traceback(tmp_path):
    path = tmp_path / "framework.json"
    path.write_text(json.dumps(with_formula(f"C1.01 * {HUGE}")), encoding="utf-8")

    with pytest.raises(CommandError, match="too large"):
        call_command("load_framework", str(path))


@pytest.fixture
def draft(db):
    return FrameworkFactory(document=with_formula("C1.01 * 2"), published=False)


@pytest.mark.parametrize(
    "rubric",
    [
        json.dumps(
            {"kind": "formula", "expr": f"C1.01 * {HUGE}", "then": {"kind": "linear", "floor": 0}}
        ),
        json.dumps(
            {"kind": "formula", "expr": "C1.01", "then": {"kind": "linear", "floor": -int(HUGE)}}
        ),
    ],
)
@pytest.mark.parametrize(("language", "words"), [("en", "too large"), ("zh-hans", "太大")])
def test_the_indicator_edit_page_shows_the_error_in_the_readers_language(
    client_for, erin, draft, rubric, language, words
):
    indicator = draft.indicators.get(code="C1.02")
    client = client_for(erin)
    client.cookies["django_language"] = language
    url = reverse("assessment:indicator_edit", args=[draft.pk, indicator.pk])

    data = {**form_data(indicator), **rubric_data(rubric)}  # the rubric's own fields
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    errors = response.context["rubric_form"].errors
    assert any(words in error for field in errors.values() for error in field), errors
    indicator.refresh_from_db()
    assert indicator.rubric["expr"] == "C1.01 * 2"


@pytest.mark.parametrize("value", [int(HUGE), -int(HUGE)], ids=["huge", "minus_huge"])
def test_the_what_if_endpoint_refuses_a_value_too_large(erin, value):
    framework = FrameworkFactory(document=with_formula("C1.01 * 2"))
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(erin)}")
    body = json.dumps({"subject_kind": "branch", "values": {"C1.01": value}})

    response = client.post(
        f"/api/v1/frameworks/{framework.pk}/score/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert "too large" in response.json()["detail"]
