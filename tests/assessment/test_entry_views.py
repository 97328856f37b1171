"""The submission page: who sees it, entering values with live points, the review steps.

Alice is the secretary of branch A1a (whose submission this is), bob of the sibling A1b, carol
reviews from committee A, dave audits A, erin administers the whole group, frank has no role.
"""

import copy
import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.choices import SubmissionState
from assessment.models import IndicatorValue, Submission
from assessment.services import evidence as evidence_services
from assessment.services import periods, submissions
from organizations.services import assign_role
from tests.factories import UserFactory

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


def points_of(content: str, code: str) -> str:
    """The points shown for one indicator (on the page or in a live update)."""
    pattern = rf'id="pts-[^"]+"[^>]*data-code="{re.escape(code)}">\s*<div[^>]*data-points="([^"]+)"'
    match = re.search(pattern, content)
    assert match, f"no points for {code}"
    return match.group(1)


# -- who sees the page -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "carol", "dave", "erin"])
def test_the_page_shows_for_everyone_whose_scope_holds_the_branch(
    who, request, submission, client_for, en, tree
):
    user = request.getfixturevalue(who)
    response = client_for(user).get(page_url(submission))
    assert response.status_code == 200
    content = response.content.decode()
    assert f'<h1 class="h3 mb-2">{tree.a1a.name_en}</h1>' in content
    assert "Study sessions" in content
    assert "Committee meetings held" in content


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
    content = client_for(alice).get(page_url(submission)).content.decode()
    assert 'name="v-C1.01"' in content
    assert 'step="1" min="0"' in content  # a count
    assert 'name="v-C2.01"' in content
    assert "<select" in content
    assert 'name="na-C1.01"' in content  # "not applicable" offered for a linear rubric
    assert "the target 12 times earns the full 40 points" in content  # the rubric in words
    assert 'data-badge="evidence-required"' in content
    assert "Save draft" in content
    assert "Submit for review" in content
    assert 'hx-post="' + action_url(submission, "points") + '"' in content
    assert 'name="version" value="1"' in content


def test_the_header_shows_state_version_deadline_and_the_live_total(
    submission, alice, client_for, en
):
    submissions.save_values(submission, {"C1.01": "6"}, version=1, acting_user=alice)
    content = client_for(alice).get(page_url(submission)).content.decode()
    assert 'data-state="draft"' in content
    assert "data-version>2<" in content
    assert "2027-01-15" in content
    assert "data-total>20<" in content
    assert 'data-subject-kind="branch"' in content
    assert "data-overdue" not in content


def test_an_overdue_draft_is_marked(submission, alice, client_for, en):
    period = submission.period
    period.deadline = datetime.date(2020, 1, 1)
    period.start = datetime.date(2019, 1, 1)
    period.save()
    content = client_for(alice).get(page_url(submission)).content.decode()
    assert "data-overdue" in content


def test_a_reviewer_reads_a_draft_without_inputs(submission, carol, client_for, en):
    content = client_for(carol).get(page_url(submission)).content.decode()
    assert 'name="v-C1.01"' not in content
    assert "Save draft" not in content
    assert "data-decisions" not in content  # nothing to decide on a draft


# -- saving ------------------------------------------------------------------------------------


def test_saving_a_draft_stores_the_values_and_bumps_the_version(submission, alice, client_for, en):
    response = client_for(alice).post(
        action_url(submission, "save"), form(submission, **{"C1.01": "6", "C2.01": ""})
    )
    assert response.status_code == 302
    assert response.url == page_url(submission)
    assert IndicatorValue.objects.get(submission=submission, indicator__code="C1.01").value == 6
    assert fresh(submission).version == 2
    followed = client_for(alice).get(response.url).content.decode()
    assert "Draft saved." in followed


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
    content = response.content.decode()
    assert "Someone saved this submission after you opened it" in content
    conflicts = content.split("data-conflicts", 1)[1].split("</section>", 1)[0]
    assert "C1.01" in conflicts
    assert "Ann Li" in conflicts
    assert re.search(r"<td>—</td>\s*<td>8 times", conflicts)
    assert 'value="3"' in content  # alice's typed value is kept in the form
    assert 'name="version" value="2"' in content
    assert IndicatorValue.objects.get(submission=submission).value == 8
    assert fresh(submission).version == 2


def test_after_a_stale_save_untouched_inputs_show_the_other_value(
    submission, alice, erin, client_for, en
):
    opened = form(submission, **{"C1.01": "", "C2.01": "yes"})  # alice left C1.01 empty
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=erin)
    content = client_for(alice).post(action_url(submission, "save"), opened).content.decode()
    field = re.search(r'<input[^>]*name="v-C1.01"[^>]*>', content, re.S).group(0)
    assert 'value="8"' in field
    assert "data-conflict>" not in content  # nothing of hers was kept over theirs


def test_an_invalid_value_shows_its_error_and_saves_nothing(submission, alice, client_for, en):
    response = client_for(alice).post(
        action_url(submission, "save"), form(submission, **{"C1.01": "2.5", "C2.01": "yes"})
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter a whole number." in content
    assert 'value="2.5"' in content
    assert not IndicatorValue.objects.exists()
    assert fresh(submission).version == 1


@pytest.mark.parametrize("version", [None, "", "abc", "0", "99999999999999999999"])
def test_a_post_without_a_sound_version_is_refused_politely(
    version, submission, alice, client_for, en
):
    data = {"v-C1.01": "3"} if version is None else {"version": version, "v-C1.01": "3"}
    response = client_for(alice).post(action_url(submission, "save"), data, follow=True)
    assert response.status_code == 200
    assert "The form was incomplete." in response.content.decode()
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
    content = response.content.decode()
    assert points_of(content, "C1.01") == "20"  # 6 of the target 12, at weight 40
    assert 'id="entry-total" class="text-lg-end" hx-swap-oob="true"' in content
    assert "data-total>20<" in content
    assert not IndicatorValue.objects.exists()  # nothing is saved while typing


def test_points_show_a_validation_error_beside_the_field(submission, alice, client_for, en):
    content = (
        client_for(alice)
        .post(action_url(submission, "points"), form(submission, **{"C1.01": "-1"}))
        .content.decode()
    )
    assert re.search(r'id="err-ind-0"[^>]*>A count cannot be negative\.', content)  # C1.01
    assert points_of(content, "C1.01") == "0"


def test_points_are_not_shown_outside_the_scope(submission, bob, client_for):
    response = client_for(bob).post(action_url(submission, "points"), form(submission))
    assert response.status_code == 404


# -- submitting --------------------------------------------------------------------------------


def test_submitting_an_incomplete_submission_lists_what_is_missing(
    submission, alice, client_for, en
):
    response = client_for(alice).post(action_url(submission, "submit"), {})
    assert response.status_code == 400
    missing = response.content.decode().split("data-missing", 1)[1].split("</section>", 1)[0]
    assert "C1.01" in missing
    assert "C2.01" in missing
    assert fresh(submission).state == SubmissionState.DRAFT


def test_values_posted_with_submit_are_saved_before_the_check(submission, alice, client_for, en):
    response = client_for(alice).post(
        action_url(submission, "submit"), form(submission, **COMPLETE)
    )
    assert response.status_code == 400
    content = response.content.decode()
    missing = content.split("data-missing", 1)[1].split("</section>", 1)[0]
    assert "evidence required" in missing
    assert "C1.01" not in missing
    assert "Your values were saved as a draft." in content
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
    content = client.get(page_url(submission)).content.decode()
    assert "Submitted for review." in content
    assert 'name="v-C1.01"' not in content  # no more editing


# -- reviewing ---------------------------------------------------------------------------------


def test_a_reviewer_returns_with_a_reason_and_the_secretary_reads_it(
    submission, alice, carol, client_for, en
):
    fill_and_submit(submission, alice)
    page = client_for(carol).get(page_url(submission)).content.decode()
    assert "data-decisions" in page
    response = client_for(carol).post(
        action_url(submission, "return"), {"reason": "Attach the meeting minutes of March."}
    )
    assert response.status_code == 302
    assert fresh(submission).state == SubmissionState.RETURNED
    content = client_for(alice).get(page_url(submission)).content.decode()
    assert "data-returned" in content
    assert "Attach the meeting minutes of March." in content
    assert 'name="v-C1.01"' in content  # editable again


def test_returning_without_a_reason_changes_nothing(submission, alice, carol, client_for, en):
    fill_and_submit(submission, alice)
    response = client_for(carol).post(
        action_url(submission, "return"), {"reason": " "}, follow=True
    )
    assert "Give a reason." in response.content.decode()
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
    assert "Only a submitted submission can be approved." in response.content.decode()
    assert fresh(submission).state == SubmissionState.DRAFT


def test_a_reviewer_approves_with_a_comment(submission, alice, carol, client_for, en):
    fill_and_submit(submission, alice)
    client_for(carol).post(action_url(submission, "approve"), {"comment": "Well documented."})
    assert fresh(submission).state == SubmissionState.APPROVED
    content = client_for(alice).get(page_url(submission)).content.decode()
    assert "Well documented." in content
    assert 'data-state="approved"' in content


def test_an_administrator_reopens_with_a_reason(submission, alice, carol, erin, client_for, en):
    fill_and_submit(submission, alice)
    submissions.approve(fresh(submission), acting_user=carol)
    assert "Reopen" not in client_for(carol).get(page_url(submission)).content.decode()
    assert (
        client_for(carol).post(action_url(submission, "reopen"), {"reason": "x"}).status_code == 404
    )
    assert "Reopen" in client_for(erin).get(page_url(submission)).content.decode()
    client_for(erin).post(action_url(submission, "reopen"), {"reason": "Wrong count entered."})
    assert fresh(submission).state == SubmissionState.RETURNED


def test_the_history_lists_the_steps(submission, alice, carol, client_for, en):
    fill_and_submit(submission, alice)
    submissions.return_submission(fresh(submission), reason="Need minutes", acting_user=carol)
    content = client_for(alice).get(page_url(submission)).content.decode()
    steps = content.split("data-transitions", 1)[1]
    assert "Draft → Submitted" in steps
    assert "Submitted → Returned" in steps
    assert "Need minutes" in steps


def test_a_resubmission_shows_what_changed_since_it_was_returned(
    submission, alice, carol, client_for, en
):
    fill_and_submit(submission, alice)
    submissions.return_submission(fresh(submission), reason="Check the count", acting_user=carol)
    current = fresh(submission)
    submissions.save_values(current, {"C1.01": "11"}, version=current.version, acting_user=alice)
    submissions.submit(fresh(submission), acting_user=alice)
    content = client_for(carol).get(page_url(submission)).content.decode()
    since = content.split("data-since", 1)[1].split("</section>", 1)[0]
    assert "C1.01" in since
    assert re.search(r"<td>10 times</td><td>11 times</td>", since)
    assert "C2.01" not in since


def test_the_auditor_sees_the_value_history(submission, alice, dave, client_for, en):
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=alice)
    submissions.save_values(submission, {"C1.01": "9"}, version=2, acting_user=alice)
    content = client_for(dave).get(page_url(submission)).content.decode()
    history = content.split("data-history", 1)[1].split("</details>", 1)[0]
    assert "Value history (2 changes)" in history
    assert "<td>8 times</td>" in history
    assert "<td>9 times</td>" in history
    assert "alice" in history


def test_earlier_approved_values_raise_quality_flags(
    published_framework, submission, alice, carol, client_for, en, tree
):
    for year in (2023, 2024, 2025):
        period = periods.create_period(
            framework=published_framework,
            kind="year",
            name=f"{year}年度",
            name_en=f"Year {year}",
            start=datetime.date(year, 1, 1),
            end=datetime.date(year, 12, 31),
            deadline=datetime.date(year + 1, 1, 15),
        )
        periods.open_period(period)
        earlier = period.submissions.get(organization=tree.a1a)
        fill_and_submit(earlier, alice)
        submissions.approve(fresh(earlier), acting_user=carol)
    submissions.save_values(submission, {"C1.01": "500"}, version=1, acting_user=alice)
    content = client_for(alice).get(page_url(submission)).content.decode()
    assert "Far from this unit&#x27;s earlier values (average 10)." in content


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
    framework = services.publish_framework(services.load_framework(doc))
    period = periods.create_period(
        framework=framework,
        kind="year",
        name="2026年度",
        name_en="Year 2026",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
        deadline=datetime.date(2027, 1, 15),
    )
    periods.open_period(period)
    return period.submissions.get(organization=tree.a1a)


def test_a_judgement_is_self_assessed_then_assessed_by_the_reviewer(
    judged_submission, alice, carol, client_for, en
):
    s = judged_submission
    secretary_page = client_for(alice).get(page_url(s)).content.decode()
    assert "Your self-assessment" in secretary_page
    submissions.save_values(s, {**COMPLETE, "C1.02": "yes"}, version=1, acting_user=alice)
    attach_pdf(s, "C2.01", alice)
    submissions.submit(fresh(s), acting_user=alice)

    page = client_for(carol).get(page_url(s)).content.decode()
    assert 'name="v-C1.02"' in page
    assert 'name="r-C1.02"' in page
    assert 'name="v-C1.01"' not in page  # the reviewer assesses judgements only
    assert "data-self>Yes<" in page

    refused = client_for(carol).post(action_url(s, "assess"), form(fresh(s), **{"C1.02": "no"}))
    assert refused.status_code == 400
    assert "Give a reason for assessing differently" in refused.content.decode()
    assert IndicatorValue.objects.get(submission=s, indicator__code="C1.02").reviewed_value is None

    data = form(fresh(s), **{"C1.02": "no"})
    data["r-C1.02"] = "No study report was handed in."
    assert client_for(carol).post(action_url(s, "assess"), data).status_code == 302
    row = IndicatorValue.objects.get(submission=s, indicator__code="C1.02")
    assert (row.value, row.reviewed_value) == (True, False)
    assert row.review_reason == "No study report was handed in."
    after = client_for(alice).get(page_url(s)).content.decode()
    assert "No study report was handed in." in after
    assert "data-total>85<" in after  # 25 + 0 + 60: the reviewer's "no" counts


def test_live_points_of_an_assessment_use_the_reviewer_value(
    judged_submission, alice, carol, client_for, en
):
    s = judged_submission
    submissions.save_values(s, {**COMPLETE, "C1.02": "yes"}, version=1, acting_user=alice)
    attach_pdf(s, "C2.01", alice)
    submissions.submit(fresh(s), acting_user=alice)
    data = form(fresh(s), **{"C1.02": "no"})
    data["mode"] = "assess"
    content = client_for(carol).post(action_url(s, "points"), data).content.decode()
    assert points_of(content, "C1.02") == "0"


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
    framework = services.publish_framework(services.load_framework(doc))
    period = periods.create_period(
        framework=framework,
        kind="year",
        name="2026年度",
        name_en="Year 2026",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
        deadline=datetime.date(2027, 1, 15),
    )
    periods.open_period(period)
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
        assert response.content.decode().count('class="entry-row') == size
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
    framework = services.publish_framework(services.load_framework(doc))
    period = periods.create_period(
        framework=framework,
        kind="year",
        name="2026年度",
        name_en="Year 2026",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
        deadline=datetime.date(2027, 1, 15),
    )
    periods.open_period(period)
    return period.submissions.get(organization=tree.a1a)


def test_each_value_type_gets_its_input_and_a_formula_is_read_only(
    rich_submission, alice, client_for, en
):
    content = client_for(alice).get(page_url(rich_submission)).content.decode()
    for key in ("voters", "excellent", "competent", "basic", "incompetent"):
        assert f'name="v-V1-{key}"' in content
    assert re.search(r'<textarea[^>]*name="v-T1"', content)
    assert 'name="v-S2"' not in content
    assert 'data-badge="formula"' in content


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
    content = client_for(alice).get(page_url(rich_submission)).content.decode()
    assert re.search(r'id="val-ind-1">50%<', content)  # S2 = 6 / 12 × 100
    assert points_of(content, "S2") == "10"
    assert points_of(content, "V1") == "45"  # (5 × 1.0 + 5 × 0.8) / 10 at weight 50


def test_votes_that_do_not_add_up_are_refused(rich_submission, alice, client_for, en):
    data = form(rich_submission)
    data.update({"v-V1-voters": "10", "v-V1-excellent": "5", "v-V1-competent": "3"})
    response = client_for(alice).post(action_url(rich_submission, "save"), data)
    assert response.status_code == 400
    assert "The votes add up to 8, but there were 10 voters." in response.content.decode()
    assert not IndicatorValue.objects.exists()
