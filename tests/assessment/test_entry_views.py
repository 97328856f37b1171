"""The submission page: who sees it, entering values with live points, the review steps.

Alice is the secretary of branch A1a (whose submission this is), bob of the sibling A1b, carol
reviews from committee A, dave audits A, erin administers the whole group, frank has no role.
"""

import copy
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.choices import SubmissionState
from assessment.models import IndicatorValue, Submission
from assessment.services import evidence as evidence_services
from assessment.services import submissions
from organizations.services import assign_role
from tests.factories import FrameworkFactory, PeriodFactory, UserFactory
from tests.html import Page, page, text_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
COMPLETE = {"C1.01": "10", "C2.01": "yes"}


@pytest.fixture
def en(client):
    """Pages in English, so the tests can read them."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page_url(submission) -> str:
    return reverse("assessment:submission", args=[submission.pk])


def action_url(submission, action: str) -> str:
    return reverse(f"assessment:submission_{action}", args=[submission.pk])


def form(submission, **values) -> dict:
    """The entry form as the browser posts it: the version and the inputs by indicator code."""
    data = {"version": submission.version}
    data.update({f"v-{code}": value for code, value in values.items()})
    return data


def fresh(submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)


def attach_pdf(submission, code, user, name="minutes.pdf"):
    return evidence_services.add_evidence(
        submission, code, SimpleUploadedFile(name, PDF), acting_user=user
    )


def fill_and_submit(submission, alice) -> Submission:
    submissions.save_values(submission, COMPLETE, version=submission.version, acting_user=alice)
    attach_pdf(submission, "C2.01", alice)
    return submissions.submit(fresh(submission), acting_user=alice)


def points_of(shown: Page, code: str) -> str:
    """The points shown for one indicator (on the page or in a live update)."""
    return shown.attr(f'.entry-points[data-code="{code}"] > [data-points]', "data-points")


def entry_row(shown: Page, code: str) -> Page:
    """The entry row of one indicator."""
    return shown.within(f'.entry-row[data-code="{code}"]')


# -- who sees the page -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "carol", "dave", "erin"])
def test_the_page_shows_for_everyone_whose_scope_holds_the_branch(
    who, request, submission, client_for, en, tree
):
    user = request.getfixturevalue(who)
    response = client_for(user).get(page_url(submission))
    assert response.status_code == 200
    shown = page(response)
    assert shown.text("h1") == tree.a1a.name_en
    assert "Study sessions" in entry_row(shown, "C1.01").text()
    assert "Committee meetings held" in entry_row(shown, "C2.01").text()


@pytest.mark.parametrize("who", ["bob", "frank"])
def test_the_page_does_not_exist_outside_the_scope(who, request, submission, client_for):
    user = request.getfixturevalue(who)
    assert client_for(user).get(page_url(submission)).status_code == 404
    assert (
        client_for(user).post(action_url(submission, "save"), form(submission)).status_code == 404
    )


def test_the_secretary_gets_an_input_per_indicator_with_its_rubric(
    submission, alice, client_for, en
):
    shown = page(client_for(alice).get(page_url(submission)))
    count = shown.field("v-C1.01")
    assert (count["step"], count["min"]) == ("1", "0")  # a count
    assert shown.field("v-C2.01").name == "select"
    assert shown.field("na-C1.01")["type"] == "checkbox"  # "not applicable" for a linear rubric
    rubric = entry_row(shown, "C1.01").text("[data-rubric]")
    assert "the target 12 times earns the full 40 points" in rubric  # the rubric in words
    assert entry_row(shown, "C2.01").has('[data-badge="evidence-required"]')
    assert shown.text("#entry-form button[name=action][value=save]") == "Save draft"
    assert shown.text("#entry-form button[name=action][value=submit]") == "Submit for review"
    assert shown.has(f'#entry-form [hx-post="{action_url(submission, "points")}"]')
    assert shown.field("version")["value"] == "1"


def test_the_header_shows_state_version_deadline_and_the_live_total(
    submission, alice, client_for, en
):
    submissions.save_values(submission, {"C1.01": "6"}, version=1, acting_user=alice)
    shown = page(client_for(alice).get(page_url(submission)))
    assert shown.attr("header [data-state]", "data-state") == "draft"
    assert shown.text("header [data-version]") == "2"
    assert shown.text("header time") == "2027-01-15"
    assert shown.text("header [data-total]") == "20"
    assert shown.attr("header [data-subject-kind]", "data-subject-kind") == "branch"
    assert not shown.has("[data-overdue]")


def test_an_overdue_draft_is_marked(submission, alice, client_for, en):
    period = submission.period
    period.deadline = datetime.date(2020, 1, 1)
    period.start = datetime.date(2019, 1, 1)
    period.save()
    assert page(client_for(alice).get(page_url(submission))).has("header [data-overdue]")


def test_a_reviewer_reads_a_draft_without_inputs(submission, carol, client_for, en):
    shown = page(client_for(carol).get(page_url(submission)))
    assert not shown.has_field("v-C1.01")
    assert "Save draft" not in shown.text()
    assert not shown.has("[data-decisions]")  # nothing to decide on a draft


# -- saving ------------------------------------------------------------------------------------


def test_saving_a_draft_stores_the_values_and_bumps_the_version(submission, alice, client_for, en):
    response = client_for(alice).post(
        action_url(submission, "save"), form(submission, **{"C1.01": "6", "C2.01": ""})
    )
    assert response.status_code == 302
    assert response.url == page_url(submission)
    assert IndicatorValue.objects.get(submission=submission, indicator__code="C1.01").value == 6
    assert fresh(submission).version == 2
    followed = page(client_for(alice).get(response.url))
    assert "Draft saved." in followed.messages()


def test_not_applicable_is_saved_as_such(submission, alice, client_for, en):
    data = form(submission, **{"C1.01": "3"})
    data["na-C1.01"] = "1"
    client_for(alice).post(action_url(submission, "save"), data)
    assert IndicatorValue.objects.get(submission=submission).value == "n/a"


def test_a_stale_save_shows_the_other_change_and_overwrites_nothing(
    submission, alice, client_for, en, tree
):
    ann = UserFactory(username="ann", first_name="Ann", last_name="Li")
    assign_role(user=ann, organization=tree.a1a, role="secretary")
    opened = form(submission, **{"C1.01": "3", "C2.01": "yes"})  # alice's page, at version 1
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=ann)

    response = client_for(alice).post(action_url(submission, "save"), opened)

    assert response.status_code == 409
    shown = page(response)
    assert "Someone saved this submission after you opened it" in shown.text("[data-alert]")
    (conflict,) = shown.rows("[data-conflicts] tbody")
    indicator, old, new, who = conflict[:4]
    assert indicator.startswith("C1.01 ")
    assert (old, who) == ("—", "Ann Li")
    assert new.startswith("8 times")
    assert shown.field("v-C1.01")["value"] == "3"  # alice's typed value is kept in the form
    assert shown.field("version")["value"] == "2"
    assert IndicatorValue.objects.get(submission=submission).value == 8
    assert fresh(submission).version == 2


def test_after_a_stale_save_untouched_inputs_show_the_other_value(
    submission, alice, erin, client_for, en
):
    opened = form(submission, **{"C1.01": "", "C2.01": "yes"})  # alice left C1.01 empty
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=erin)
    shown = page(client_for(alice).post(action_url(submission, "save"), opened))
    assert shown.field("v-C1.01")["value"] == "8"
    assert not shown.has("[data-conflict]")  # nothing of hers was kept over theirs


def test_an_invalid_value_shows_its_error_and_saves_nothing(submission, alice, client_for, en):
    response = client_for(alice).post(
        action_url(submission, "save"), form(submission, **{"C1.01": "2.5", "C2.01": "yes"})
    )
    assert response.status_code == 400
    shown = page(response)
    assert entry_row(shown, "C1.01").text("[role=alert]") == "Enter a whole number."
    assert shown.field("v-C1.01")["value"] == "2.5"
    assert not IndicatorValue.objects.exists()
    assert fresh(submission).version == 1


@pytest.mark.parametrize("version", [None, "", "abc", "0", "99999999999999999999"])
def test_a_post_without_a_sound_version_is_refused_politely(
    version, submission, alice, client_for, en
):
    data = {"v-C1.01": "3"} if version is None else {"version": version, "v-C1.01": "3"}
    response = client_for(alice).post(action_url(submission, "save"), data, follow=True)
    assert response.status_code == 200
    assert "The form was incomplete." in page(response).text(".portal-messages")
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize("action", ["save", "submit", "return", "approve", "reopen", "points"])
def test_the_actions_answer_only_posts(action, submission, alice, client_for):
    assert client_for(alice).get(action_url(submission, action)).status_code == 405


def test_a_reviewer_cannot_save_values(submission, carol, client_for):
    response = client_for(carol).post(action_url(submission, "save"), form(submission, **COMPLETE))
    assert response.status_code == 404
    assert not IndicatorValue.objects.exists()


# -- live points -------------------------------------------------------------------------------


def test_points_follow_what_is_typed(submission, alice, client_for, en):
    response = client_for(alice).post(
        action_url(submission, "points"), form(submission, **{"C1.01": "6", "C2.01": ""})
    )
    assert response.status_code == 200
    shown = page(response)
    assert points_of(shown, "C1.01") == "20"  # 6 of the target 12, at weight 40
    assert shown.attr("#entry-total", "hx-swap-oob") == "true"
    assert shown.text("#entry-total [data-total]") == "20"
    assert not IndicatorValue.objects.exists()  # nothing is saved while typing


def test_points_show_a_validation_error_beside_the_field(submission, alice, client_for, en):
    shown = page(
        client_for(alice).post(
            action_url(submission, "points"), form(submission, **{"C1.01": "-1"})
        )
    )
    assert shown.text("#err-ind-0").startswith("A count cannot be negative.")  # C1.01
    assert points_of(shown, "C1.01") == "0"


def test_points_are_not_shown_outside_the_scope(submission, bob, client_for):
    response = client_for(bob).post(action_url(submission, "points"), form(submission))
    assert response.status_code == 404


# -- submitting --------------------------------------------------------------------------------


def test_submitting_an_incomplete_submission_lists_what_is_missing(
    submission, alice, client_for, en
):
    response = client_for(alice).post(action_url(submission, "submit"), {})
    assert response.status_code == 400
    missing = page(response).texts("[data-missing] li")
    assert any(item.startswith("C1.01 ") for item in missing)
    assert any(item.startswith("C2.01 ") for item in missing)
    assert fresh(submission).state == SubmissionState.DRAFT


def test_values_posted_with_submit_are_saved_before_the_check(submission, alice, client_for, en):
    response = client_for(alice).post(
        action_url(submission, "submit"), form(submission, **COMPLETE)
    )
    assert response.status_code == 400
    shown = page(response)
    assert shown.texts("[data-missing] li") == ["C2.01 Committee meetings held: evidence required"]
    assert "C1.01" not in shown.text("[data-missing]")
    assert "Your values were saved as a draft." in shown.messages()
    assert IndicatorValue.objects.filter(submission=submission).count() == 2


def test_a_complete_submission_with_evidence_is_submitted(submission, alice, client_for, en):
    client = client_for(alice)
    client.post(action_url(submission, "save"), form(submission, **COMPLETE))
    upload = SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf")
    client.post(
        reverse("assessment:evidence_upload", args=[submission.pk]),
        {"indicator": "C2.01", "file": upload},
    )
    response = client.post(action_url(submission, "submit"), {})
    assert response.status_code == 302
    assert fresh(submission).state == SubmissionState.SUBMITTED
    shown = page(client.get(page_url(submission)))
    assert "Submitted for review." in shown.messages()
    assert not shown.has_field("v-C1.01")  # no more editing


# -- reviewing ---------------------------------------------------------------------------------


def test_a_reviewer_returns_with_a_reason_and_the_secretary_reads_it(
    submission, alice, carol, client_for, en
):
    fill_and_submit(submission, alice)
    assert page(client_for(carol).get(page_url(submission))).has("[data-decisions]")
    response = client_for(carol).post(
        action_url(submission, "return"), {"reason": "Attach the meeting minutes of March."}
    )
    assert response.status_code == 302
    assert fresh(submission).state == SubmissionState.RETURNED
    shown = page(client_for(alice).get(page_url(submission)))
    reason = shown.text("[data-returned] [data-return-reason]")
    assert reason == "Attach the meeting minutes of March."
    assert shown.has_field("v-C1.01")  # editable again


def test_returning_without_a_reason_changes_nothing(submission, alice, carol, client_for, en):
    fill_and_submit(submission, alice)
    response = client_for(carol).post(
        action_url(submission, "return"), {"reason": " "}, follow=True
    )
    assert "Give a reason." in page(response).messages()
    assert fresh(submission).state == SubmissionState.SUBMITTED


def test_the_secretary_cannot_approve_her_own_submission(submission, alice, client_for):
    fill_and_submit(submission, alice)
    assert client_for(alice).post(action_url(submission, "approve"), {}).status_code == 404
    assert (
        client_for(alice).post(action_url(submission, "return"), {"reason": "x"}).status_code == 404
    )
    assert fresh(submission).state == SubmissionState.SUBMITTED


def test_an_auditor_cannot_approve(submission, alice, dave, client_for):
    fill_and_submit(submission, alice)
    assert client_for(dave).post(action_url(submission, "approve"), {}).status_code == 404
    assert fresh(submission).state == SubmissionState.SUBMITTED


def test_approving_a_draft_is_refused_with_a_message(submission, carol, client_for, en):
    response = client_for(carol).post(action_url(submission, "approve"), {}, follow=True)
    assert response.status_code == 200
    assert "Only a submitted submission can be approved." in page(response).messages()
    assert fresh(submission).state == SubmissionState.DRAFT


def test_a_reviewer_approves_with_a_comment(submission, alice, carol, client_for, en):
    fill_and_submit(submission, alice)
    client_for(carol).post(action_url(submission, "approve"), {"comment": "Well documented."})
    assert fresh(submission).state == SubmissionState.APPROVED
    shown = page(client_for(alice).get(page_url(submission)))
    assert shown.rows("[data-transitions] tbody")[-1][2:] == [
        "Submitted → Approved",
        "Well documented.",
    ]
    assert shown.attr("header [data-state]", "data-state") == "approved"


def test_an_administrator_reopens_with_a_reason(submission, alice, carol, erin, client_for, en):
    fill_and_submit(submission, alice)
    submissions.approve(fresh(submission), acting_user=carol)
    assert "Reopen" not in page(client_for(carol).get(page_url(submission))).text()
    assert (
        client_for(carol).post(action_url(submission, "reopen"), {"reason": "x"}).status_code == 404
    )
    reopen = page(client_for(erin).get(page_url(submission))).form(action_url(submission, "reopen"))
    assert text_of(reopen.find("button")) == "Reopen"
    client_for(erin).post(action_url(submission, "reopen"), {"reason": "Wrong count entered."})
    assert fresh(submission).state == SubmissionState.RETURNED


def test_the_history_lists_the_steps(submission, alice, carol, client_for, en):
    fill_and_submit(submission, alice)
    submissions.return_submission(fresh(submission), reason="Need minutes", acting_user=carol)
    steps = page(client_for(alice).get(page_url(submission))).rows("[data-transitions] tbody")
    assert [step[2:] for step in steps] == [
        ["Draft → Submitted", "—"],
        ["Submitted → Returned", "Need minutes"],
    ]


def test_a_resubmission_shows_what_changed_since_it_was_returned(
    submission, alice, carol, client_for, en
):
    fill_and_submit(submission, alice)
    submissions.return_submission(fresh(submission), reason="Check the count", acting_user=carol)
    current = fresh(submission)
    submissions.save_values(current, {"C1.01": "11"}, version=current.version, acting_user=alice)
    submissions.submit(fresh(submission), acting_user=alice)
    shown = page(client_for(carol).get(page_url(submission)))
    assert shown.rows("[data-since] tbody") == [["C1.01 Study sessions", "10 times", "11 times"]]
    assert "C2.01" not in shown.text("[data-since]")


def test_the_auditor_sees_the_value_history(submission, alice, dave, client_for, en):
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=alice)
    submissions.save_values(submission, {"C1.01": "9"}, version=2, acting_user=alice)
    history = entry_row(page(client_for(dave).get(page_url(submission))), "C1.01").within(
        "[data-history]"
    )
    assert history.text("summary") == "Value history (2 changes)"
    changes = [(who, old, new) for _, who, _, old, new, _ in history.rows("tbody")]
    assert changes == [("alice", "8 times", "9 times"), ("alice", "—", "8 times")]


def test_earlier_approved_values_raise_quality_flags(
    published_framework, submission, alice, carol, client_for, en, tree
):
    for year in (2023, 2024, 2025):
        period = PeriodFactory(framework=published_framework, year=year)
        earlier = period.submissions.get(organization=tree.a1a)
        fill_and_submit(earlier, alice)
        submissions.approve(fresh(earlier), acting_user=carol)
    submissions.save_values(submission, {"C1.01": "500"}, version=1, acting_user=alice)
    points = page(client_for(alice).get(page_url(submission))).text(
        '.entry-points[data-code="C1.01"]'
    )
    assert (
        "Far from this unit's earlier values (Year 2023: 10, Year 2024: 10, Year 2025: 10; "
        "average 10)." in points
    )


# -- judgement indicators ----------------------------------------------------------------------


@pytest.fixture
def judged_submission(framework_doc, tree):
    """A framework whose C1.02 is a judgement the reviewer confirms; A1a's submission of it."""
    doc = copy.deepcopy(framework_doc)
    doc["code"] = "JUDGED"
    doc["indicators"][0]["weight"] = 30
    doc["indicators"].append(
        {
            "code": "C1.02",
            "name": {"zh": "学习效果评价", "en": "Study effect"},
            "dimension": "C1",
            "applies_to": ["branch"],
            "value_type": "boolean",
            "weight": 10,
            "frequency": "year",
            "assessed": True,
            "rubric": {"kind": "yes_no"},
        }
    )
    period = PeriodFactory(framework=FrameworkFactory(document=doc))
    return period.submissions.get(organization=tree.a1a)


def test_a_judgement_is_self_assessed_then_assessed_by_the_reviewer(
    judged_submission, alice, carol, client_for, en
):
    s = judged_submission
    secretary_page = page(client_for(alice).get(page_url(s)))
    assert "Your self-assessment" in entry_row(secretary_page, "C1.02").text()
    submissions.save_values(s, {**COMPLETE, "C1.02": "yes"}, version=1, acting_user=alice)
    attach_pdf(s, "C2.01", alice)
    submissions.submit(fresh(s), acting_user=alice)

    reviewer_page = page(client_for(carol).get(page_url(s)))
    assert reviewer_page.has_field("v-C1.02")
    assert reviewer_page.has_field("r-C1.02")
    assert not reviewer_page.has_field("v-C1.01")  # the reviewer assesses judgements only
    assert entry_row(reviewer_page, "C1.02").text("[data-self]") == "Yes"

    refused = client_for(carol).post(action_url(s, "assess"), form(fresh(s), **{"C1.02": "no"}))
    assert refused.status_code == 400
    refusal = entry_row(page(refused), "C1.02").text("[role=alert]")
    assert "Give a reason for assessing differently" in refusal
    assert IndicatorValue.objects.get(submission=s, indicator__code="C1.02").reviewed_value is None

    data = form(fresh(s), **{"C1.02": "no"})
    data["r-C1.02"] = "No study report was handed in."
    assert client_for(carol).post(action_url(s, "assess"), data).status_code == 302
    row = IndicatorValue.objects.get(submission=s, indicator__code="C1.02")
    assert (row.value, row.reviewed_value) == (True, False)
    assert row.review_reason == "No study report was handed in."
    after = page(client_for(alice).get(page_url(s)))
    assert "No study report was handed in." in entry_row(after, "C1.02").text()
    assert after.text("header [data-total]") == "85"  # 25 + 0 + 60: the reviewer's "no" counts


def test_live_points_of_an_assessment_use_the_reviewer_value(
    judged_submission, alice, carol, client_for, en
):
    s = judged_submission
    submissions.save_values(s, {**COMPLETE, "C1.02": "yes"}, version=1, acting_user=alice)
    attach_pdf(s, "C2.01", alice)
    submissions.submit(fresh(s), acting_user=alice)
    data = form(fresh(s), **{"C1.02": "no"})
    data["mode"] = "assess"
    assert points_of(page(client_for(carol).post(action_url(s, "points"), data)), "C1.02") == "0"


# -- a page costs the same whatever the framework's size ---------------------------------------


def big_framework_doc(base: dict, count: int) -> dict:
    """`count` count indicators (linear to 10) over the small framework's dimensions."""
    doc = copy.deepcopy(base)
    doc["code"] = f"BIG{count}"
    weights = [100 // count] * count
    weights[-1] += 100 - sum(weights)
    dimensions = ["C1", "C2.1", "G1"]
    doc["indicators"] = [
        {
            "code": f"X{n:02d}",
            "name": {"zh": f"指标{n}", "en": f"Indicator {n}"},
            "dimension": dimensions[n % 3],
            "applies_to": ["branch"],
            "value_type": "count",
            "unit": {"zh": "次", "en": "times"},
            "target": 10,
            "weight": weights[n],
            "frequency": "year",
            "evidence_required": n % 2 == 0,
            "rubric": {"kind": "linear", "floor": 0},
        }
        for n in range(count)
    ]
    return doc


def busy_submission(doc: dict, tree, alice, carol) -> Submission:
    """A returned, resubmitted submission with values, evidence and history on every indicator."""
    period = PeriodFactory(framework=FrameworkFactory(document=doc))
    s = period.submissions.get(organization=tree.a1a)
    codes = [i["code"] for i in doc["indicators"]]
    submissions.save_values(s, dict.fromkeys(codes, "5"), version=1, acting_user=alice)
    submissions.save_values(s, dict.fromkeys(codes, "6"), version=2, acting_user=alice)
    for code in codes:
        attach_pdf(s, code, alice)
    submissions.submit(fresh(s), acting_user=alice)
    submissions.return_submission(fresh(s), reason="again", acting_user=carol)
    return fresh(s)


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_the_page_costs_the_same_queries_for_2_and_30_indicators(
    who, request, framework_doc, tree, alice, carol, client_for, django_assert_max_num_queries
):
    user = request.getfixturevalue(who)
    counts = []
    for size in (2, 30):
        s = busy_submission(big_framework_doc(framework_doc, size), tree, alice, carol)
        client = client_for(user)
        client.get(page_url(s))  # parses the framework once, as a running server keeps it
        with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as queries:
            response = client.get(page_url(s))
        assert response.status_code == 200
        assert page(response).count(".entry-row") == size
        counts.append(len(queries))
    assert counts[0] == counts[1], [q["sql"] for q in queries.captured_queries]


# -- every kind of input -----------------------------------------------------------------------


@pytest.fixture
def rich_submission(framework_doc, tree):
    """A framework with a formula, an appraisal and a text indicator; A1a's submission of it."""
    doc = copy.deepcopy(framework_doc)
    doc["code"] = "RICH"
    common = {"applies_to": ["branch"], "frequency": "year"}
    doc["indicators"] = [
        {
            **common,
            "code": "S1",
            "name": {"zh": "学习次数", "en": "Sessions"},
            "dimension": "C1",
            "value_type": "count",
            "unit": {"zh": "次", "en": "times"},
            "target": 12,
            "weight": 30,
            "rubric": {"kind": "linear", "floor": 0},
        },
        {
            **common,
            "code": "S2",
            "name": {"zh": "学习完成率", "en": "Sessions done"},
            "dimension": "C1",
            "value_type": "percentage",
            "unit": {"zh": "%", "en": "%"},
            "target": 100,
            "weight": 20,
            "rubric": {
                "kind": "formula",
                "expr": "S1 / 12 * 100",
                "then": {"kind": "linear", "floor": 0},
            },
        },
        {
            **common,
            "code": "V1",
            "name": {"zh": "民主测评", "en": "Appraisal"},
            "dimension": "C2.1",
            "value_type": "appraisal",
            "weight": 50,
            "rubric": {"kind": "appraisal"},
        },
        {
            **common,
            "code": "T1",
            "name": {"zh": "工作亮点", "en": "Highlights"},
            "dimension": "G1",
            "value_type": "text",
            "weight": 0,
            "rubric": {"kind": "none"},
        },
    ]
    period = PeriodFactory(framework=FrameworkFactory(document=doc))
    return period.submissions.get(organization=tree.a1a)


def test_each_value_type_gets_its_input_and_a_formula_is_read_only(
    rich_submission, alice, client_for, en
):
    shown = page(client_for(alice).get(page_url(rich_submission)))
    for key in ("voters", "excellent", "competent", "basic", "incompetent"):
        assert shown.has_field(f"v-V1-{key}")
    assert shown.field("v-T1").name == "textarea"
    assert not shown.has_field("v-S2")
    assert entry_row(shown, "S2").has('[data-badge="formula"]')


def test_appraisal_votes_and_text_are_saved_and_the_formula_is_computed(
    rich_submission, alice, client_for, en
):
    data = form(rich_submission, S1="6", T1="Evening classes")
    data.update({"v-V1-voters": "10", "v-V1-excellent": "5", "v-V1-competent": "5"})
    response = client_for(alice).post(action_url(rich_submission, "save"), data)
    assert response.status_code == 302
    stored = dict(
        IndicatorValue.objects.filter(submission=rich_submission).values_list(
            "indicator__code", "value"
        )
    )
    assert stored["V1"] == {
        "voters": 10,
        "excellent": 5,
        "competent": 5,
        "basic": 0,
        "incompetent": 0,
    }
    assert stored["T1"] == "Evening classes"
    shown = page(client_for(alice).get(page_url(rich_submission)))
    assert entry_row(shown, "S2").text('[id^="val-"]') == "50%"  # S2 = 6 / 12 × 100
    assert points_of(shown, "S2") == "10"
    assert points_of(shown, "V1") == "45"  # (5 × 1.0 + 5 × 0.8) / 10 at weight 50


def test_votes_that_do_not_add_up_are_refused(rich_submission, alice, client_for, en):
    data = form(rich_submission)
    data.update({"v-V1-voters": "10", "v-V1-excellent": "5", "v-V1-competent": "3"})
    response = client_for(alice).post(action_url(rich_submission, "save"), data)
    assert response.status_code == 400
    refusal = entry_row(page(response), "V1").text("[role=alert]")
    assert refusal == "The votes add up to 8, but there were 10 voters."
    assert not IndicatorValue.objects.exists()
