"""Member points: rule lines counted from the month's records (with caps), set-based over every
organization; awards and deductions approved from above only; the quarter's publication; the
year's totals for indicator sources; the ledger page and its query count.

The real rules: attend +2, excused 0, absent −3, study 0.5 an hour (cap 5), talk +1 (cap 2),
dues on time +1, dues late −2, volunteer (an award rule) +1 (cap 5).
"""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment.choices import PeriodStatus
from assessment.models import Period
from audit.models import AuditEntry, AuditKind
from organizations.services import assign_role
from records.choices import PointsKind, PointsState
from records.models import PointsEntry, PointsPublication
from records.selectors import ledgers as selectors
from records.services import points
from records.services.dates import NotAllowed, RecordRefused
from records.tasks import count_points as nightly_count
from tests.factories import OrganizationFactory, PersonFactory, UserFactory
from tests.factories.records import (
    AttendanceFactory,
    DuesPaymentFactory,
    MeetingFactory,
    StudyRecordFactory,
    TalkFactory,
)
from tests.html import page

from .ledger_setup import MARCH, client_for, english, members, records_period, transfer

__all__ = ["client_for", "english", "members", "records_period"]  # fixtures used by the tests below

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal
DAY = datetime.date(2026, 3, 10)


def lines(person) -> dict[str, Decimal]:
    return dict(
        PointsEntry.objects.filter(person=person, kind=PointsKind.RULE).values_list(
            "rule", "points"
        )
    )


def meeting(tree, *presences, day=DAY):
    """A meeting of A1a with the given (person, presence) pairs."""
    held = MeetingFactory(organization=tree.a1a, date=day)
    for person, presence in presences:
        AttendanceFactory(meeting=held, person=person, presence=presence)
    return held


# Counting -------------------------------------------------------------------------------------


def test_attendance_study_talks_and_dues_become_rule_lines(members, tree):
    wang, li, zhao = members["P001"], members["P003"], members["P002"]
    meeting(tree, (wang, "present"), (li, "absent"))
    meeting(tree, (wang, "present"), (li, "excused"))
    StudyRecordFactory(person=wang, date=DAY, hours=D("3.0"))
    TalkFactory(organization=tree.a1a, talker=wang, partner=li, date=DAY)
    DuesPaymentFactory(person=wang, month=MARCH)  # paid in full on 15 March
    DuesPaymentFactory(person=li, month=MARCH, paid=D("1.00"))  # short, and March is over

    written = points.count_points(tree.a1a, MARCH)

    assert lines(wang) == {
        "attend": D("4.0"),
        "study": D("1.5"),
        "talk": D("1.0"),
        "dues": D("1.0"),
    }
    assert lines(li) == {
        "absent": D("-3.0"),
        "excused": D("0.0"),
        "talk": D("1.0"),
        "dues_late": D("-2.0"),
    }
    assert lines(zhao) == {}
    assert written == 8
    assert PointsEntry.objects.filter(state=PointsState.APPROVED, kind="rule").count() == 8


def test_each_rule_is_capped_per_month(members, tree):
    wang = members["P001"]
    StudyRecordFactory(person=wang, date=DAY, hours=D("30.0"))
    for partner in (members["P003"], *PersonFactory.create_batch(3, organization=tree.a1a)):
        TalkFactory(organization=tree.a1a, talker=wang, partner=partner, date=DAY)

    points.count_points(tree.a1a, MARCH)

    assert lines(wang) == {"study": D("5.0"), "talk": D("2.0")}


def test_counting_again_replaces_the_rule_lines_and_keeps_awards(alice, carol, members, tree):
    wang = members["P001"]
    held = meeting(tree, (wang, "present"))
    points.count_points(tree.a1a, MARCH)
    award = points.propose_points(
        wang, MARCH, kind="award", points=D("2"), reason="抗洪志愿服务", acting_user=alice
    )
    held.attendance.all().delete()

    points.count_points(tree.a1a, MARCH)

    assert lines(wang) == {}
    assert PointsEntry.objects.get(pk=award.pk).state == PointsState.PROPOSED


def test_an_unpaid_month_counts_late_only_once_it_is_over(members, tree):
    this_month = timezone.localdate().replace(day=1)
    Period.objects.update(end=datetime.date(this_month.year, 12, 31))
    DuesPaymentFactory(person=members["P001"], month=this_month, paid=None, paid_on=None)

    with mock.patch.object(points, "check_open"):
        points.count_points(tree.a1a, this_month)

    assert lines(members["P001"]) == {}


def test_a_member_is_counted_where_they_belonged_at_the_months_end(members, tree):
    wang = members["P001"]
    meeting(tree, (wang, "present"), day=datetime.date(2026, 3, 5))  # still in A1a then
    transfer(wang, tree.a1b, datetime.date(2026, 3, 20))
    held = MeetingFactory(organization=tree.a1b, date=datetime.date(2026, 3, 25))
    AttendanceFactory(meeting=held, person=wang)

    points.count_points(tree.a1a, MARCH)  # the old branch counts again: he is not its member

    line = PointsEntry.objects.get(person=wang)
    assert (line.organization, line.points) == (tree.a1b, D("4.0"))
    new_branch = {
        row.person.pk: row.total for row in selectors.points_ledger(tree.a1b, [MARCH]).rows
    }
    assert new_branch[wang.pk] == D("4.0")
    assert wang.pk not in {row.person.pk for row in selectors.points_ledger(tree.a1a, [MARCH]).rows}


def test_staff_are_never_counted(members, tree):
    meeting(tree, (members["S001"], "present"))
    points.count_points(tree.a1a, MARCH)
    assert lines(members["S001"]) == {}


def test_a_month_of_a_closed_period_is_not_counted(members, tree, records_period):
    meeting(tree, (members["P001"], "present"))
    Period.objects.filter(pk=records_period.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(RecordRefused):
        points.count_points(tree.a1a, MARCH)
    assert not PointsEntry.objects.exists()


def test_counting_every_organization_takes_the_same_queries_for_ten_or_fifty_members(
    records_period, tree
):
    def fill(count: int) -> None:
        for _ in range(count):
            branch = OrganizationFactory(parent=tree.a1)
            person = PersonFactory(organization=branch)
            held = MeetingFactory(organization=branch, date=DAY)
            AttendanceFactory(meeting=held, person=person)
            StudyRecordFactory(person=person, date=DAY)
            DuesPaymentFactory(person=person, month=MARCH)

    fill(10)
    with CaptureQueriesContext(connection) as few:
        written_few = points.count_points_all(MARCH)
    fill(40)
    with CaptureQueriesContext(connection) as many:
        written_many = points.count_points_all(MARCH)

    def reads(queries) -> list[str]:
        # The insert is split by the backend's parameter limit (SQLite: a few hundred rows each).
        return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("INSERT")]

    assert (written_few, written_many) == (30, 150)
    assert len(reads(many)) == len(reads(few))


def test_the_nightly_count_covers_every_organization_and_skips_shut_months(members, tree):
    meeting(tree, (members["P001"], "present"))
    with mock.patch.object(
        points, "months_to_count", return_value=[datetime.date(2025, 12, 1), MARCH]
    ):
        written = nightly_count()
    assert written == 1
    assert lines(members["P001"]) == {"attend": D("2.0")}


# Awards and deductions ------------------------------------------------------------------------


def test_a_deduction_is_stored_negative_and_awaits_approval(alice, members, tree):
    entry = points.propose_points(
        members["P001"], MARCH, kind="deduction", points=D("2"), reason="迟到", acting_user=alice
    )
    assert (entry.points, entry.state, entry.organization) == (
        D("-2"),
        PointsState.PROPOSED,
        tree.a1a,
    )
    assert selectors.member_points([members["P001"].pk], 2026) == {}


def test_a_proposal_needs_a_reason(alice, members):
    with pytest.raises(RecordRefused, match="reason"):
        points.propose_points(
            members["P001"], MARCH, kind="award", points=D("1"), reason="  ", acting_user=alice
        )


def test_an_award_rule_gives_its_points_and_its_cap_applies(alice, members):
    wang = members["P001"]
    first = points.propose_points(
        wang, MARCH, kind="award", points=None, rule="volunteer", reason="社区", acting_user=alice
    )
    assert first.points == D("1")
    points.propose_points(
        wang, MARCH, kind="award", points=D("3"), rule="volunteer", reason="献血", acting_user=alice
    )

    with pytest.raises(RecordRefused, match="at most 5 points a month"):
        points.propose_points(
            wang,
            MARCH,
            kind="award",
            points=D("2"),
            rule="volunteer",
            reason="再",
            acting_user=alice,
        )
    # Another month has its own cap.
    points.propose_points(
        wang,
        datetime.date(2026, 4, 1),
        kind="award",
        points=D("5"),
        rule="volunteer",
        reason="四月",
        acting_user=alice,
    )


def test_a_rule_that_is_not_an_award_rule_is_refused(alice, members):
    with pytest.raises(RecordRefused, match="not an award rule"):
        points.propose_points(
            members["P001"],
            MARCH,
            kind="award",
            points=D("1"),
            rule="attend",
            reason="x",
            acting_user=alice,
        )


def test_a_secretary_outside_the_branch_cannot_propose(bob, members):
    with pytest.raises(NotAllowed):
        points.propose_points(
            members["P001"], MARCH, kind="award", points=D("1"), reason="x", acting_user=bob
        )


@pytest.fixture
def proposal(alice, members):
    return points.propose_points(
        members["P001"], MARCH, kind="award", points=D("3"), reason="抢险救灾", acting_user=alice
    )


def test_a_reviewer_above_approves_and_only_then_it_counts(carol, proposal, members):
    assert selectors.member_points([members["P001"].pk], 2026) == {}

    points.decide_points(proposal, approve=True, acting_user=carol, note="属实")

    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by) == (PointsState.APPROVED, carol)
    assert selectors.member_points([members["P001"].pk], 2026) == {members["P001"].pk: D("3")}
    entry = AuditEntry.objects.get(kind=AuditKind.POINTS_DECIDED)
    assert entry.after["note"] == "属实"


def test_the_branch_itself_cannot_approve(alice, proposal):
    with pytest.raises(NotAllowed, match="reviewer above"):
        points.decide_points(proposal, approve=True, acting_user=alice)


def test_a_reviewer_of_the_branch_itself_is_not_above_it(proposal, tree):
    own_reviewer = UserFactory(username="own-reviewer")
    assign_role(user=own_reviewer, organization=tree.a1a, role="reviewer")
    with pytest.raises(NotAllowed):
        points.decide_points(proposal, approve=True, acting_user=own_reviewer)


def test_who_entered_a_proposal_does_not_decide_it(erin, members):
    entry = points.propose_points(
        members["P001"], MARCH, kind="award", points=D("1"), reason="x", acting_user=erin
    )
    with pytest.raises(NotAllowed, match="another reviewer"):
        points.decide_points(entry, approve=True, acting_user=erin)


def test_a_refused_proposal_never_counts_and_is_decided_once(carol, erin, proposal, members):
    points.decide_points(proposal, approve=False, acting_user=carol)
    with pytest.raises(RecordRefused, match="decided already"):
        points.decide_points(proposal, approve=True, acting_user=erin)
    assert selectors.member_points([members["P001"].pk], 2026) == {}


def test_approval_keeps_within_the_cap_of_approved_lines(alice, carol, members):
    wang = members["P001"]
    entries = [
        points.propose_points(
            wang,
            MARCH,
            kind="award",
            points=D("2"),
            rule="volunteer",
            reason=f"{n}",
            acting_user=alice,
        )
        for n in range(2)
    ]
    for entry in entries:
        points.decide_points(entry, approve=True, acting_user=carol)
    with pytest.raises(RecordRefused, match="at most 5"):
        points.propose_points(
            wang,
            MARCH,
            kind="award",
            points=D("2"),
            rule="volunteer",
            reason="x",
            acting_user=alice,
        )


def test_member_points_are_the_year_of_approved_lines_of_every_kind(carol, proposal, members, tree):
    meeting(tree, (members["P001"], "present"), (members["P003"], "absent"))
    points.count_points(tree.a1a, MARCH)
    points.decide_points(proposal, approve=True, acting_user=carol)

    totals = selectors.member_points([members["P001"].pk, members["P003"].pk, 999999], 2026)

    assert totals == {members["P001"].pk: D("5"), members["P003"].pk: D("-3")}
    assert selectors.member_points([members["P001"].pk], 2025) == {}


# Publication ----------------------------------------------------------------------------------


def test_publishing_a_quarter_stores_each_members_totals(alice, carol, proposal, members, tree):
    meeting(tree, (members["P001"], "present"))
    points.count_points(tree.a1a, MARCH)
    points.decide_points(proposal, approve=True, acting_user=carol)

    publication = points.publish_quarter(tree.a1a, 2026, 1, acting_user=alice)

    top = publication.totals[0]
    assert (top["employee_number"], top["months"], top["total"]) == (
        "P001",
        ["0.0", "0.0", "5.0"],
        "5.0",
    )
    assert {row["employee_number"] for row in publication.totals} == {
        "P001",
        "P002",
        "P003",
        tree.a1a.people.get(name="A1a成员").employee_number,
    }
    assert AuditEntry.objects.filter(kind=AuditKind.POINTS_PUBLISHED).count() == 1


def test_a_quarter_is_published_once(alice, members, tree):
    points.publish_quarter(tree.a1a, 2026, 1, acting_user=alice)
    with pytest.raises(RecordRefused, match="published already"):
        points.publish_quarter(tree.a1a, 2026, 1, acting_user=alice)


def test_a_quarter_with_proposals_awaiting_a_decision_is_not_published(alice, proposal, tree):
    with pytest.raises(RecordRefused, match="await a decision"):
        points.publish_quarter(tree.a1a, 2026, 1, acting_user=alice)
    assert not PointsPublication.objects.exists()


def test_a_quarter_not_over_is_not_published(alice, members, tree):
    today = timezone.localdate()
    with pytest.raises(RecordRefused, match="once it is over"):
        points.publish_quarter(tree.a1a, today.year, (today.month - 1) // 3 + 1, acting_user=alice)


def test_only_who_enters_for_the_branch_publishes(carol, members, tree):
    with pytest.raises(NotAllowed):
        points.publish_quarter(tree.a1a, 2026, 1, acting_user=carol)


# Pages ----------------------------------------------------------------------------------------


def ledger_url(tree, **query):
    base = reverse("records:points_ledger", args=[tree.a1a.pk])
    return base + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_the_ledger_page_shows_rule_columns_and_totals(client_for, alice, members, tree):
    meeting(tree, (members["P001"], "present"), (members["P003"], "absent"))
    points.count_points(tree.a1a, MARCH)

    shown = page(client_for(alice).get(ledger_url(tree, month="2026-03")))

    assert shown.text("#points-ledger tr[data-person=P001] [data-total]") == "2.0"
    assert shown.text("#points-ledger tr[data-person=P003] [data-total]") == "-3.0"
    assert shown.has("#propose-form")
    assert shown.has("#points-ledger th[data-rule=attend]")


def test_the_ledger_page_takes_a_fixed_number_of_queries(
    client_for, alice, carol, members, tree, django_assert_max_num_queries
):
    def fill(count: int) -> None:
        people = PersonFactory.create_batch(count, organization=tree.a1a)
        held = meeting(tree, *((p, "present") for p in people))
        for person in people:
            points.propose_points(
                person, MARCH, kind="award", points=D("1"), reason="x", acting_user=alice
            )
        assert held
        points.count_points(tree.a1a, MARCH)

    client = client_for(carol)
    fill(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(ledger_url(tree, month="2026-03")).status_code == 200
    fill(20)
    with CaptureQueriesContext(connection) as many:
        shown = page(client.get(ledger_url(tree, month="2026-03")))
    assert shown.count("#points-manual form[data-decide]") == 23
    assert len(many) == len(few)
    with django_assert_max_num_queries(20):
        client.get(ledger_url(tree, year=2026, quarter=1))


def test_a_reviewer_above_approves_on_the_page_and_the_secretary_sees_no_buttons(
    client_for, alice, carol, proposal, tree
):
    assert not page(client_for(alice).get(ledger_url(tree, month="2026-03"))).has(
        "form[data-decide]"
    )
    client = client_for(carol)
    assert page(client.get(ledger_url(tree, month="2026-03"))).has(
        f"tr[data-entry='{proposal.pk}'] form[data-decide]"
    )

    response = client.post(
        reverse("records:points_decide", args=[proposal.pk]), {"decision": "approve"}
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == PointsState.APPROVED


def test_deciding_on_the_page_as_the_branch_changes_nothing(client_for, alice, proposal):
    client = client_for(alice)
    response = client.post(
        reverse("records:points_decide", args=[proposal.pk]), {"decision": "approve"}, follow=True
    )
    assert any("reviewer above" in m for m in page(response).messages())
    proposal.refresh_from_db()
    assert proposal.state == PointsState.PROPOSED


def test_a_proposal_outside_the_scope_is_404(client_for, bob, proposal):
    response = client_for(bob).post(
        reverse("records:points_decide", args=[proposal.pk]), {"decision": "refuse"}
    )
    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == PointsState.PROPOSED


def test_proposing_on_the_page(client_for, alice, members, tree):
    response = client_for(alice).post(
        reverse("records:points_propose", args=[tree.a1a.pk]),
        {
            "person": members["P001"].pk,
            "month": "2026-03",
            "kind": "deduction",
            "points": "1.5",
            "reason": "无故缺课",
        },
    )
    assert response.status_code == 302
    entry = PointsEntry.objects.get()
    assert (entry.points, entry.state, entry.entered_by) == (D("-1.5"), "proposed", alice)


def test_a_proposal_over_the_cap_on_the_page_is_a_400_with_the_reason(
    client_for, alice, members, tree
):
    response = client_for(alice).post(
        reverse("records:points_propose", args=[tree.a1a.pk]),
        {
            "person": members["P001"].pk,
            "month": "2026-03",
            "kind": "award",
            "rule": "volunteer",
            "points": "6",
            "reason": "x",
        },
    )
    assert response.status_code == 400
    assert "at most 5 points a month" in page(response).text("#propose-form .alert")
    assert not PointsEntry.objects.exists()


def test_publishing_on_the_page_then_the_branch_sees_the_table(client_for, alice, members, tree):
    client = client_for(alice)
    response = client.post(
        reverse("records:points_publish", args=[tree.a1a.pk]), {"year": "2026", "quarter": "1"}
    )
    assert response.status_code == 302
    shown = page(client.get(response.url))
    assert [row[1] for row in shown.rows("#published-points")[1:]] == [
        row["employee_number"] for row in PointsPublication.objects.get().totals
    ]


def test_the_published_table_of_another_branch_is_404(client_for, alice, bob, members, tree):
    points.publish_quarter(tree.a1a, 2026, 1, acting_user=alice)
    url = reverse("records:points_published", args=[tree.a1a.pk])
    assert client_for(bob).get(url).status_code == 404


def test_a_garbled_quarter_to_publish_publishes_nothing(client_for, alice, members, tree):
    response = client_for(alice).post(
        reverse("records:points_publish", args=[tree.a1a.pk]), {"year": "2026", "quarter": "5"}
    )
    assert response.status_code == 302
    assert not PointsPublication.objects.exists()
