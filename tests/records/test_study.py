"""Study hours: recording and changing a member's study (scope, dates, the same record twice),
the points they count for, and the branch's study page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.choices import PeriodStatus
from assessment.models import Period
from audit.models import AuditEntry, AuditKind
from records.models import PointsEntry, StudyRecord
from records.selectors import ledgers as selectors
from records.services import study
from records.services.dates import NotAllowed, RecordRefused
from tests.html import page

from .ledger_setup import client_for, english, members, records_period, transfer

__all__ = ["client_for", "english", "members", "records_period"]  # fixtures used by the tests below

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal
DAY = datetime.date(2026, 3, 10)


def record(person, user, **changes):
    fields = {"kind": "course", "title": "党的二十届三中全会精神", "hours": D("4.0")}
    return study.record_study(
        person, changes.pop("day", DAY), **{**fields, **changes}, acting_user=user
    )


def test_recording_study_stores_it_in_the_members_branch_and_counts_points(
    alice, members, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # points are counted after commit
        entry = record(members["P001"], alice)

    assert (entry.organization, entry.hours, entry.source) == (tree.a1a, D("4.0"), "entered")
    assert AuditEntry.objects.filter(
        kind=AuditKind.RECORD_SAVED, target=f"studyrecord:{entry.pk}"
    ).exists()
    line = PointsEntry.objects.get(person=members["P001"], rule="study")
    assert line.points == D("2.0")  # 4 hours at 0.5


def test_the_same_record_twice_is_refused(alice, members):
    record(members["P001"], alice)
    with pytest.raises(RecordRefused, match="stored already"):
        record(members["P001"], alice)
    assert StudyRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hours": D("0")}, "more than 0"),
        ({"hours": D("1.25")}, "one decimal"),
        ({"title": "  "}, "title"),
        ({"kind": "nap"}, "kind of study"),
        ({"day": datetime.date(2099, 1, 1)}, "in the future"),
        ({"day": datetime.date(2025, 6, 1)}, "no open assessment period"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(alice, members, changes, message):
    with pytest.raises(RecordRefused, match=message):
        record(members["P001"], alice, **changes)
    assert not StudyRecord.objects.exists()


def test_a_member_outside_the_scope_is_refused(bob, members):
    with pytest.raises(NotAllowed):
        record(members["P001"], bob)


def test_a_closed_period_refuses_study(alice, members, records_period):
    Period.objects.filter(pk=records_period.pk).update(status=PeriodStatus.LOCKED)
    with pytest.raises(RecordRefused, match="locked"):
        record(members["P001"], alice)


def test_study_follows_where_the_member_belonged_that_day(alice, bob, members, tree):
    transfer(members["P001"], tree.a1b, datetime.date(2026, 3, 20))
    assert record(members["P001"], alice).organization == tree.a1a
    with pytest.raises(NotAllowed):
        record(members["P001"], alice, day=datetime.date(2026, 3, 25))
    assert record(members["P001"], bob, day=datetime.date(2026, 3, 25)).organization == tree.a1b


def test_moving_a_record_to_another_month_counts_both_months(
    alice, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = record(members["P001"], alice)

    with django_capture_on_commit_callbacks(execute=True):
        study.change_study(
            entry,
            day=datetime.date(2026, 4, 2),
            kind="online",
            title=entry.title,
            hours=D("6.0"),
            acting_user=alice,
        )

    months = dict(
        PointsEntry.objects.filter(person=members["P001"], rule="study").values_list(
            "month", "points"
        )
    )
    assert months == {datetime.date(2026, 4, 1): D("3.0")}


def test_the_hours_per_member_of_a_year(alice, members, tree):
    record(members["P001"], alice)
    record(members["P001"], alice, kind="online", hours=D("1.5"))
    record(members["P003"], alice, hours=D("8.0"))

    hours = [(p.employee_number, h) for p, h in selectors.study_hours(tree.a1a, 2026)]

    assert hours == [("P003", D("8.0")), ("P001", D("5.5"))]


# The page -------------------------------------------------------------------------------------


def url(tree, year=2026):
    return f"{reverse('records:study_list', args=[tree.a1a.pk])}?year={year}"


def test_the_page_lists_the_years_records_and_hours(client_for, alice, members, tree):
    record(members["P001"], alice)
    shown = page(client_for(alice).get(url(tree)))
    assert len(shown.rows("#study-records")) == 2
    assert shown.texts("#study-hours [data-hours]") == ["4.0"]
    assert shown.has("#study-form")


def test_entering_study_on_the_page(client_for, alice, members, tree):
    response = client_for(alice).post(
        url(tree),
        {
            "person": members["P001"].pk,
            "date": "2026-03-10",
            "kind": "session",
            "title": "支部集中学习",
            "hours": "2",
        },
    )
    assert response.status_code == 302
    assert StudyRecord.objects.get().kind == "session"


def test_a_refused_entry_on_the_page_says_why_and_writes_nothing(client_for, alice, members, tree):
    response = client_for(alice).post(
        url(tree),
        {
            "person": members["P001"].pk,
            "date": "2025-06-01",
            "kind": "session",
            "title": "支部集中学习",
            "hours": "2",
        },
    )
    assert response.status_code == 400
    assert "no open assessment period" in page(response).text("#study-form .alert")
    assert not StudyRecord.objects.exists()


def test_staff_are_not_offered_on_the_page(client_for, alice, members, tree):
    shown = page(client_for(alice).get(url(tree)))
    offered = [o.text for o in shown.select("#study-form select[name=person] option")]
    assert not [o for o in offered if "S001" in o]
    assert [o for o in offered if "P001" in o]


def test_a_reviewer_sees_the_page_without_the_form(client_for, carol, members, tree):
    shown = page(client_for(carol).get(url(tree)))
    assert not shown.has("#study-form")
    response = client_for(carol).post(url(tree), {"person": members["P001"].pk})
    assert response.status_code == 404


def test_the_page_of_a_branch_outside_the_scope_is_404(client_for, bob, members, tree):
    assert client_for(bob).get(url(tree)).status_code == 404
