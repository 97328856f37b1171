"""Party dues: the rate bands and the minimum, one member's month, the branch's month sheet
(all or nothing), scope, closed periods and transfers, and the sheet page.

Alice is the secretary of branch A1a; 2026 is open under the real records section (regular bands
0.5 % to 3,000, 1 % to 5,000, 1.5 % to 10,000, 2 % above; retirees 0.5 % to 5,000, 1 % above;
a minimum of 0.20).
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.choices import PeriodStatus
from assessment.models import Period
from audit.models import AuditEntry, AuditKind
from records.config import parse
from records.models import DuesPayment, PointsEntry
from records.selectors import ledgers as selectors
from records.services import dues
from records.services.dates import NotAllowed, RecordRefused
from tests.factories.records import DuesPaymentFactory, _records_section
from tests.html import page

from .ledger_setup import (
    MARCH,
    client_for,
    english,
    members,
    records_period,
    transfer,
)

__all__ = ["client_for", "english", "members", "records_period"]  # fixtures used by the tests below

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = Decimal


@pytest.fixture
def config():
    return parse(_records_section())


# The rate and what is due ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "group", "rate", "due"),
    [
        ("2999.99", "regular", "0.005", "15.00"),
        ("3000", "regular", "0.005", "15.00"),
        ("3000.01", "regular", "0.01", "30.00"),
        ("4321.50", "regular", "0.01", "43.22"),  # 43.215 rounds half up
        ("10000", "regular", "0.015", "150.00"),
        ("12000", "regular", "0.02", "240.00"),
        ("6000", "retired", "0.01", "60.00"),
        ("4000", "retired", "0.005", "20.00"),
        ("0", "regular", "0", "0.20"),  # no income: the minimum
        ("10", "regular", "0.005", "0.20"),  # 0.05 is below the minimum
    ],
)
def test_the_rate_comes_from_the_band_and_the_due_is_rounded_never_below_the_minimum(
    config, base, group, rate, due
):
    assert dues.dues_due(config, D(base), group) == (D(rate), D(due))


def test_a_group_without_bands_is_a_lookup_error(config):
    with pytest.raises(LookupError):
        dues.dues_due(config, D("100"), "students")


def test_retirees_pay_by_the_retired_bands():
    assert dues.dues_group("retired") == "retired"
    assert dues.dues_group("active", retired=True) == "retired"
    assert dues.dues_group("active") == "regular"


# One member's month ---------------------------------------------------------------------------


def test_recording_a_month_stores_rate_due_and_an_audit_entry(
    alice, members, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # points are counted after commit
        payment = dues.record_dues(
            members["P001"],
            datetime.date(2026, 3, 17),
            base=D("4000"),
            paid=D("40"),
            paid_on=datetime.date(2026, 3, 20),
            acting_user=alice,
        )

    assert (payment.month, payment.organization, payment.rate, payment.due) == (
        MARCH,
        tree.a1a,
        D("0.01"),
        D("40.00"),
    )
    assert payment.on_time
    entry = AuditEntry.objects.get(kind=AuditKind.RECORD_SAVED, target=f"duespayment:{payment.pk}")
    assert entry.after["due"] == "40.00"
    # Paying on time is a points rule: the month's lines were counted.
    line = PointsEntry.objects.get(person=members["P001"], rule="dues")
    assert line.points == D("1.0")


def test_a_month_recorded_twice_is_a_clear_error(alice, members):
    dues.record_dues(members["P001"], MARCH, base=D("4000"), acting_user=alice)

    with pytest.raises(RecordRefused, match="already recorded for 王芳: change that row"):
        dues.record_dues(members["P001"], MARCH, base=D("5000"), acting_user=alice)
    assert DuesPayment.objects.get().base == D("4000")


def test_a_member_outside_the_scope_is_refused(bob, members):
    with pytest.raises(NotAllowed):
        dues.record_dues(members["P001"], MARCH, base=D("4000"), acting_user=bob)
    assert not DuesPayment.objects.exists()


def test_staff_pay_no_party_dues(alice, members):
    with pytest.raises(RecordRefused, match="not a party member"):
        dues.record_dues(members["S001"], MARCH, base=D("4000"), acting_user=alice)


def test_a_month_of_a_closed_period_is_refused(alice, members, records_period):
    Period.objects.filter(pk=records_period.pk).update(status=PeriodStatus.CLOSED)
    with pytest.raises(RecordRefused, match="is closed"):
        dues.record_dues(members["P001"], MARCH, base=D("4000"), acting_user=alice)


def test_paid_without_its_date_is_refused(alice, members):
    with pytest.raises(RecordRefused, match="together"):
        dues.record_dues(members["P001"], MARCH, base=D("4000"), paid=D("40"), acting_user=alice)


def test_a_retired_member_pays_by_the_retired_bands(alice, members):
    payment = dues.record_dues(members["P002"], MARCH, base=D("6000"), acting_user=alice)
    assert (payment.rate, payment.due) == (D("0.01"), D("60.00"))


def test_changing_a_month_recomputes_the_due(alice, members):
    payment = dues.record_dues(members["P001"], MARCH, base=D("4000"), acting_user=alice)

    dues.change_dues(payment, base=D("12000"), paid=D("240"), paid_on=MARCH, acting_user=alice)

    payment.refresh_from_db()
    assert (payment.rate, payment.due, payment.paid) == (D("0.02"), D("240.00"), D("240.00"))


def test_a_member_transferred_mid_month_pays_that_month_in_the_new_branch(
    alice, bob, members, tree
):
    transfer(members["P001"], tree.a1b, datetime.date(2026, 3, 15))

    february = dues.record_dues(
        members["P001"], datetime.date(2026, 2, 1), base=D("4000"), acting_user=alice
    )
    assert february.organization == tree.a1a
    with pytest.raises(NotAllowed):
        dues.record_dues(members["P001"], MARCH, base=D("4000"), acting_user=alice)
    march = dues.record_dues(members["P001"], MARCH, base=D("4000"), acting_user=bob)
    assert march.organization == tree.a1b
    assert [row.person for row in selectors.dues_sheet(tree.a1b, MARCH).rows if row.payment] == [
        members["P001"]
    ]
    assert members["P001"] not in [row.person for row in selectors.dues_sheet(tree.a1a, MARCH).rows]


# The month sheet ------------------------------------------------------------------------------


def _lines(members, **bases):
    return [
        dues.SheetLine(members[number].pk, D(base) if base else None)
        for number, base in bases.items()
    ]


def test_the_sheet_lists_the_party_members_the_branch_holds_that_month(members, tree):
    # Retirees stay party members of their branch; staff pay no dues; B1's member is elsewhere.
    sheet = selectors.dues_sheet(tree.a1a, MARCH)
    assert [row.person.employee_number for row in sheet.rows] == sorted(
        [tree.a1a.people.get(name="A1a成员").employee_number, "P001", "P002", "P003"]
    )


def test_saving_the_sheet_writes_every_line_at_once(alice, members, tree):
    sheet = selectors.dues_sheet(tree.a1a, MARCH)

    done = dues.save_month(
        tree.a1a,
        MARCH,
        [*_lines(members, P001="4000", P003="0"), dues.SheetLine(sheet.rows[0].person.pk, None)],
        version=sheet.version,
        acting_user=alice,
    )

    assert done == {"created": 2, "changed": 0}
    stored = dict(DuesPayment.objects.values_list("person__employee_number", "due"))
    assert stored == {"P001": D("40.00"), "P003": D("0.20")}
    assert AuditEntry.objects.filter(
        kind=AuditKind.RECORD_SAVED, target=f"organization:{tree.a1a.pk}"
    ).exists()


def test_one_bad_line_saves_nothing(alice, members, tree):
    sheet = selectors.dues_sheet(tree.a1a, MARCH)

    with pytest.raises(dues.RowsRefused) as refused:
        dues.save_month(
            tree.a1a,
            MARCH,
            _lines(members, P001="4000", P900="3000"),  # P900 belongs to B1
            version=sheet.version,
            acting_user=alice,
        )

    assert refused.value.errors == {
        members["P900"].pk: "This person is not a member of A1a branch in 2026-03, or is on the "
        "sheet twice."
    }
    assert not DuesPayment.objects.exists()


def test_a_sheet_changed_since_it_was_opened_saves_nothing(alice, members, tree):
    sheet = selectors.dues_sheet(tree.a1a, MARCH)
    dues.record_dues(members["P003"], MARCH, base=D("3000"), acting_user=alice)

    with pytest.raises(dues.SheetChanged):
        dues.save_month(
            tree.a1a, MARCH, _lines(members, P001="4000"), version=sheet.version, acting_user=alice
        )
    assert list(DuesPayment.objects.values_list("person__employee_number", flat=True)) == ["P003"]


def test_a_stored_month_cannot_be_emptied_from_the_sheet(alice, members, tree):
    dues.record_dues(members["P001"], MARCH, base=D("4000"), acting_user=alice)
    sheet = selectors.dues_sheet(tree.a1a, MARCH)

    with pytest.raises(dues.RowsRefused) as refused:
        dues.save_month(
            tree.a1a, MARCH, _lines(members, P001=""), version=sheet.version, acting_user=alice
        )
    assert "cannot be emptied" in refused.value.errors[members["P001"].pk]


def test_the_sheet_changes_stored_rows(alice, members, tree):
    dues.record_dues(members["P001"], MARCH, base=D("4000"), acting_user=alice)
    sheet = selectors.dues_sheet(tree.a1a, MARCH)

    done = dues.save_month(
        tree.a1a,
        MARCH,
        [dues.SheetLine(members["P001"].pk, D("6000"), D("90"), datetime.date(2026, 3, 31))],
        version=sheet.version,
        acting_user=alice,
    )

    assert done == {"created": 0, "changed": 1}
    assert DuesPayment.objects.get().due == D("90.00")


def test_a_member_recorded_in_another_branch_that_month_is_refused_naming_it(alice, members, tree):
    DuesPaymentFactory(person=members["P001"], organization=tree.a1b, month=MARCH)
    sheet = selectors.dues_sheet(tree.a1a, MARCH)
    assert members["P001"].pk in sheet.elsewhere

    with pytest.raises(dues.RowsRefused) as refused:
        dues.save_month(
            tree.a1a, MARCH, _lines(members, P001="4000"), version=sheet.version, acting_user=alice
        )
    assert refused.value.errors == {
        members["P001"].pk: "The dues of 2026-03 are already recorded for this member in A1b "
        "branch."
    }


def test_a_reviewer_may_not_save_a_branch_sheet(carol, members, tree):
    sheet = selectors.dues_sheet(tree.a1a, MARCH)
    with pytest.raises(NotAllowed):
        dues.save_month(
            tree.a1a, MARCH, _lines(members, P001="4000"), version=sheet.version, acting_user=carol
        )


# The page -------------------------------------------------------------------------------------


def _url(tree, month="2026-03"):
    return f"{reverse('records:dues_sheet', args=[tree.a1a.pk])}?month={month}"


def _post(client, tree, members, sheet, **bases):
    rows = list(sheet.rows)
    data = {
        "month": "2026-03",
        "version": sheet.version,
        "dues-TOTAL_FORMS": str(len(rows)),
        "dues-INITIAL_FORMS": str(len(rows)),
    }
    for i, row in enumerate(rows):
        data[f"dues-{i}-person"] = str(row.person.pk)
        base, paid, paid_on = bases.get(row.person.employee_number, ("", "", ""))
        data[f"dues-{i}-base"], data[f"dues-{i}-paid"], data[f"dues-{i}-paid_on"] = (
            base,
            paid,
            paid_on,
        )
    return client.post(_url(tree), data)


def test_the_sheet_page_lists_the_members_with_inputs_for_the_secretary(
    client_for, alice, members, tree
):
    shown = page(client_for(alice).get(_url(tree)))
    assert [row["data-person"] for row in shown.select("#dues-rows tbody tr")] == [
        row.person.employee_number for row in selectors.dues_sheet(tree.a1a, MARCH).rows
    ]
    assert shown.has("#dues-sheet button[type=submit]")


def test_a_reviewer_above_sees_the_sheet_without_inputs(client_for, carol, members, tree):
    shown = page(client_for(carol).get(_url(tree)))
    assert shown.count("#dues-rows tbody tr") == 4
    assert not shown.has("#dues-sheet input[name$=base]")
    assert not shown.has("#dues-sheet button[type=submit]")


def test_saving_the_page_stores_the_month(client_for, alice, members, tree):
    client = client_for(alice)
    sheet = selectors.dues_sheet(tree.a1a, MARCH)

    response = _post(client, tree, members, sheet, P001=("4000", "40", "2026-03-20"))

    assert response.status_code == 302
    payment = DuesPayment.objects.get()
    assert (payment.person, payment.due, payment.paid_on) == (
        members["P001"],
        D("40.00"),
        datetime.date(2026, 3, 20),
    )
    shown = page(client.get(response.url))
    assert shown.text("#dues-rows tr[data-person=P001] [data-due]") == "40.00"
    assert shown.attr("#dues-rows tr[data-person=P001] [data-on-time]", "data-on-time") == "yes"


def test_a_malformed_amount_on_the_page_saves_nothing(client_for, alice, members, tree):
    sheet = selectors.dues_sheet(tree.a1a, MARCH)
    response = _post(
        client_for(alice), tree, members, sheet, P001=("4000", "", ""), P003=("四千", "", "")
    )
    assert response.status_code == 400
    assert not DuesPayment.objects.exists()
    assert page(response).has("#dues-rows tr[data-person=P003] .is-invalid")


def test_a_stale_sheet_on_the_page_is_a_409_and_saves_nothing(client_for, alice, members, tree):
    sheet = selectors.dues_sheet(tree.a1a, MARCH)
    dues.record_dues(members["P003"], MARCH, base=D("3000"), acting_user=alice)

    response = _post(client_for(alice), tree, members, sheet, P001=("4000", "", ""))

    assert response.status_code == 409
    assert "changed this month's dues" in page(response).text("#sheet-alert")
    assert not DuesPayment.objects.filter(person=members["P001"]).exists()


def test_a_garbled_month_shows_this_month_with_a_warning(client_for, alice, members, tree):
    response = client_for(alice).get(_url(tree, month="2026-13"))
    assert response.status_code == 200
    assert any("is not a month" in m for m in page(response).messages())


def test_the_sheet_of_a_branch_outside_the_scope_is_404(client_for, bob, members, tree):
    assert client_for(bob).get(_url(tree)).status_code == 404


def test_a_reviewer_cannot_post_the_sheet(client_for, carol, members, tree):
    sheet = selectors.dues_sheet(tree.a1a, MARCH)
    response = _post(client_for(carol), tree, members, sheet, P001=("4000", "", ""))
    assert response.status_code == 404
    assert not DuesPayment.objects.exists()


def test_recording_the_payment_keeps_the_band_a_month_was_recorded_with(alice, members, tree):
    payment = dues.record_dues(
        members["P001"], MARCH, base=D("6000"), retired=True, acting_user=alice
    )
    assert payment.due == D("60.00")

    dues.change_dues(
        payment, base=D("6000"), paid=D("60"), paid_on=datetime.date(2026, 3, 9), acting_user=alice
    )
    sheet = selectors.dues_sheet(tree.a1a, MARCH)
    dues.save_month(
        tree.a1a,
        MARCH,
        [dues.SheetLine(members["P001"].pk, D("6000"), D("60"), datetime.date(2026, 3, 10))],
        version=sheet.version,
        acting_user=alice,
    )

    payment.refresh_from_db()
    assert (payment.due, payment.paid_on) == (D("60.00"), datetime.date(2026, 3, 10))
    dues.change_dues(payment, base=D("7000"), paid=None, paid_on=None, acting_user=alice)
    payment.refresh_from_db()
    assert payment.due == D("105.00")  # a new base: the member's own band (regular)
