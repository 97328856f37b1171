"""A rate computed from entered values cannot pass 100 % (issue 12, item 4).

The attendance rate is computed: actual attendances ÷ expected attendances × 100. More actual
than expected attendances would make it 110 %; every way in (the entry form while typing and on
saving, the API, the Excel upload) refuses that with the same message, from the one check in
`assessment.validation`, and changes nothing.
"""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from assessment import excel
from assessment.models import IndicatorValue
from assessment.services import excel_import, submissions
from assessment.services.submissions import InvalidValues
from tests.factories.credentials import api_token
from tests.html import page

pytestmark = pytest.mark.django_db

EN = "H1.04 Attendance rate would come to 110%, but a percentage lies between 0 and 100"
ZH = "H1.04 参会率计算结果为 110%，但百分比应在 0 到 100 之间"


@pytest.fixture
def framework_doc(framework_doc):
    """The small framework with expected and actual attendances and the rate computed from them."""
    framework_doc["indicators"][0]["weight"] = 30
    common = {"applies_to": ["branch"], "frequency": "year", "dimension": "C1"}
    attendances = {"zh": "人次", "en": "attendances"}
    framework_doc["indicators"] += [
        {
            **common,
            "code": "H1.02",
            "name": {"zh": "应参会人次", "en": "Expected attendances"},
            "value_type": "count",
            "unit": attendances,
            "weight": 0,
            "rubric": {"kind": "none"},
        },
        {
            **common,
            "code": "H1.03",
            "name": {"zh": "实参会人次", "en": "Actual attendances"},
            "value_type": "count",
            "unit": attendances,
            "weight": 0,
            "rubric": {"kind": "none"},
        },
        {
            **common,
            "code": "H1.04",
            "name": {"zh": "参会率", "en": "Attendance rate"},
            "value_type": "percentage",
            "unit": {"zh": "%", "en": "%"},
            "target": 95,
            "weight": 10,
            "rubric": {
                "kind": "formula",
                "expr": "H1.03 / H1.02 * 100",
                "then": {"kind": "linear", "floor": 50},
            },
        },
    ]
    return framework_doc


def stored(submission) -> dict:
    return dict(
        IndicatorValue.objects.filter(submission=submission).values_list("indicator__code", "value")
    )


@pytest.mark.parametrize(("language", "message"), [("en", EN), ("zh-hans", ZH)])
def test_the_save_refuses_more_actual_than_expected_attendances(
    language, message, submission, alice
):
    with translation.override(language), pytest.raises(InvalidValues) as refused:
        submissions.save_values(
            submission, {"H1.02": "100", "H1.03": "110"}, version=1, acting_user=alice
        )
    assert set(refused.value.errors) == {"H1.02", "H1.03"}
    assert refused.value.errors["H1.03"].startswith(message)
    assert "H1.03" in refused.value.errors["H1.03"]
    assert not IndicatorValue.objects.exists()


def test_the_error_goes_to_the_input_that_was_changed(submission, alice):
    submissions.save_values(
        submission, {"H1.02": "100", "H1.03": "90"}, version=1, acting_user=alice
    )
    with translation.override("en"), pytest.raises(InvalidValues) as refused:
        submissions.save_values(submission, {"H1.03": "110"}, version=2, acting_user=alice)
    assert list(refused.value.errors) == ["H1.03"]
    assert stored(submission)["H1.03"] == 90


def test_a_rate_of_exactly_100_is_accepted(submission, alice):
    submissions.save_values(
        submission, {"H1.02": "100", "H1.03": "100"}, version=1, acting_user=alice
    )
    assert stored(submission) == {"H1.02": 100, "H1.03": 100}


def test_the_entry_form_refuses_it_on_saving(submission, alice, client_for):
    client = client_for(alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        reverse("assessment:submission_save", args=[submission.pk]),
        {"version": 1, "v-H1.02": "100", "v-H1.03": "110"},
    )
    assert response.status_code == 400
    shown = page(response)
    for code in ("H1.02", "H1.03"):  # the inputs of the rate
        assert EN in shown.within(f'.entry-row[data-code="{code}"]').text("[role=alert]")
    assert not IndicatorValue.objects.exists()


def test_the_entry_form_says_so_while_typing(submission, alice, client_for):
    client = client_for(alice)
    response = client.post(
        reverse("assessment:submission_points", args=[submission.pk]),
        {"version": 1, "v-H1.02": "100", "v-H1.03": "110"},
    )
    assert any(ZH in error for error in page(response).texts("[role=alert]"))


def test_the_api_refuses_it_with_the_same_message(submission, alice):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(alice)}")
    response = client.patch(
        f"/api/v1/submissions/{submission.pk}/",
        {"version": 1, "values": {"H1.02": 100, "H1.03": 110}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["H1.03"].startswith(EN)
    assert not IndicatorValue.objects.exists()


def test_the_excel_upload_refuses_it_on_the_row(submission, alice, client_for):
    response = client_for(alice).get(reverse("assessment:excel_template", args=[submission.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook[excel.VALUES_SHEET]
    header = {c.value: c.column for c in sheet[excel.HEADER_LINE] if c.value}
    lines = {
        sheet.cell(row, header[excel.CODE.header]).value: row
        for row in range(excel.HEADER_LINE + 1, sheet.max_row + 1)
    }
    sheet.cell(lines["H1.02"], header[excel.VALUE.header]).value = 100
    sheet.cell(lines["H1.03"], header[excel.VALUE.header]).value = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    with translation.override("en"), pytest.raises(excel_import.ImportRejected) as rejected:
        excel_import.import_workbook(buffer.getvalue(), acting_user=alice)
    problems = {problem.code: problem for problem in rejected.value.problems}
    assert problems["H1.03"].message.startswith(EN)
    assert problems["H1.03"].line == lines["H1.03"]
    assert not IndicatorValue.objects.exists()


def test_the_demo_draws_no_rate_above_100():
    """The demo's attendances were drawn apart, so some units had a rate of 110 %."""
    from assessment.scoring import load_file, parse_framework
    from assessment.validation import check_computed
    from partybuild.demo import assessment as demo

    shipped = parse_framework(load_file(demo.FRAMEWORK_FILE))
    values = {"C2.16": 10, "C2.17": 11}
    fixed = demo.rates_within_100(shipped, "branch", dict(values), strength=0.8)
    assert fixed["C2.17"] == 8
    assert fixed["C2.16"] == 10
    with translation.override("en"):
        assert check_computed(shipped, "branch", values, changed=set(values))
        assert not check_computed(shipped, "branch", fixed, changed=set(fixed))
