"""The submission page with values counted from records: shown as counted with the records behind
them, overridden only with a reason, seen side by side by the reviewer.

The tree of tests/conftest.py with the sourced framework (tests/sources_data.py): alice is the
secretary of branch A1a, carol reviews it from committee A.
"""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse

from assessment.choices import PeriodStatus, SubmissionState
from assessment.models import IndicatorValue, Period, Submission
from rectification.models import Rectification
from tests.factories.records import MeetingFactory
from tests.factories.rectification import RectificationFactory
from tests.html import Page, page
from tests.sources_data import sourced_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework_doc() -> dict:
    return sourced_framework()


@pytest.fixture
def submission(period, tree):
    return period.submissions.get(organization=tree.a1a, subject_unit="organization")


@pytest.fixture
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def page_url(submission) -> str:
    return reverse("assessment:submission", args=[submission.pk])


def save_url(submission) -> str:
    return reverse("assessment:submission_save", args=[submission.pk])


def entry_row(shown: Page, code: str) -> Page:
    return shown.within(f'.entry-row[data-code="{code}"]')


def fresh(submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)


def stored(submission, code) -> IndicatorValue:
    return IndicatorValue.objects.get(submission=submission, indicator__code=code)


def test_a_counted_value_shows_as_counted_with_the_records_behind_it(
    submission, tree, alice, client_for, en
):
    MeetingFactory(organization=tree.a1a, topic="三月支委会", date=datetime.date(2026, 3, 10))
    april = MeetingFactory(
        organization=tree.a1a, topic="四月支委会", date=datetime.date(2026, 4, 10)
    )
    item = RectificationFactory(
        organization=tree.a1a,
        period=submission.period,
        indicator_code="X1",
        due_date=datetime.date(2026, 6, 30),
    )
    shown = page(client_for(alice).get(page_url(submission)))
    row = entry_row(shown, "M1")
    assert row.has('[data-badge="counted"]')
    assert row.text("[data-counted-value]") == "2 times"
    assert "meetings of the kind" in row.text("[data-source]")
    assert row.texts("[data-records] li") == [
        "2026-04-10 四月支委会",
        "2026-03-10 三月支委会",
    ]
    # No typed input of its own: the value field is the override's, empty while none is made.
    assert row.has("[data-override-form] input[name='v-M1']")
    assert row.field("v-M1").get("value", "") == ""
    assert stored(submission, "M1").value == 2
    # The records behind a value link to their page where there is one.
    try:
        meeting_page = reverse("records:meeting_detail", args=[april.pk])
    except NoReverseMatch:  # the meeting pages come with the records app's views
        meeting_page = None
    if meeting_page:
        assert row.link(meeting_page)
    closure = entry_row(shown, "R1")
    assert closure.link(reverse("rectification:detail", args=[item.pk]))
    # A typed indicator keeps its plain input.
    assert not entry_row(shown, "X1").has("[data-counted]")


def test_an_override_without_a_reason_is_refused_and_nothing_saved(
    submission, tree, alice, client_for, en
):
    MeetingFactory(organization=tree.a1a)
    client_for(alice).get(page_url(submission))
    response = client_for(alice).post(
        save_url(submission), {"version": fresh(submission).version, "v-M1": "9", "o-M1": " "}
    )
    assert response.status_code == 400
    shown = page(response)
    assert "Give a reason for overriding the counted value." in entry_row(shown, "M1").text()
    assert stored(submission, "M1").value == 1
    assert fresh(submission).version == submission.version


def test_an_override_with_a_reason_is_saved_and_shown(submission, tree, alice, client_for, en):
    MeetingFactory(organization=tree.a1a)
    client_for(alice).get(page_url(submission))
    response = client_for(alice).post(
        save_url(submission),
        {"version": fresh(submission).version, "v-M1": "3", "o-M1": "两次会议记录在纸质台账"},
    )
    assert response.status_code == 302
    row = stored(submission, "M1")
    assert (row.counted, row.value, row.override_reason) == (1, 3, "两次会议记录在纸质台账")
    shown = entry_row(page(client_for(alice).get(page_url(submission))), "M1")
    assert shown.text("[data-override-value]") == "3 times"
    assert shown.text("[data-override-reason]") == "两次会议记录在纸质台账"
    assert shown.field("o-M1").text == "两次会议记录在纸质台账"


def test_the_reviewer_sees_count_override_and_reason_side_by_side(
    submission, tree, alice, carol, client_for, en
):
    MeetingFactory(organization=tree.a1a)
    client_for(alice).get(page_url(submission))
    client_for(alice).post(
        save_url(submission),
        {"version": fresh(submission).version, "v-M1": "3", "o-M1": "纸质台账另有两次"},
    )
    Submission.objects.filter(pk=submission.pk).update(state=SubmissionState.SUBMITTED)
    row = entry_row(page(client_for(carol).get(page_url(submission))), "M1")
    assert row.text("[data-counted-value]") == "1 times"
    assert row.text("[data-override-value]") == "3 times"
    assert row.text("[data-override-reason]") == "纸质台账另有两次"
    assert not row.has("[data-override-form]")


def test_opening_a_page_in_a_locked_period_does_not_recount(
    submission, tree, alice, client_for, en
):
    MeetingFactory(organization=tree.a1a)
    Period.objects.filter(pk=submission.period_id).update(status=PeriodStatus.LOCKED)
    client_for(alice).get(page_url(submission))
    assert not IndicatorValue.objects.filter(submission=submission, indicator__code="M1").exists()


def test_a_rectification_item_closed_in_time_counts_on_the_page(
    submission, tree, alice, client_for, en
):
    item = RectificationFactory(
        organization=tree.a1a,
        period=submission.period,
        indicator_code="X1",
        due_date=datetime.date(2026, 6, 30),
    )
    Rectification.objects.filter(pk=item.pk).update(
        state=Rectification.State.CLOSED,
        confirmed_at=datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC),
    )
    row = entry_row(page(client_for(alice).get(page_url(submission))), "R1")
    assert row.text("[data-counted-value]") == "100%"
