"""The calendar of organizational life: counts by month and kind, gaps at the kind's granularity,
the view across a subtree in a fixed number of queries, and the page.

The year 2026 is open under a framework whose records section is the real one: 支委会
(committee_meeting) and 主题党日 once a month for branches and general branches, 党小组会 once a
month for branches only, 党员大会 and 党课 once a quarter, 组织生活会 once a year. "Today" is
15 May 2026 in the selectors' tests.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.selectors import calendar as selectors
from records.selectors.calendar import DUE, FUTURE, GAP, MET
from tests.factories import FrameworkFactory, OrganizationFactory, PeriodFactory
from tests.factories.records import MeetingFactory, framework_with_records
from tests.html import page

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 15)


@pytest.fixture
def records_period(tree):
    return PeriodFactory(framework=FrameworkFactory(document=framework_with_records()), year=2026)


def meet(org, kind: str, *days: tuple[int, int], year: int = 2026) -> None:
    for month, day in days:
        MeetingFactory(organization=org, kind=kind, date=datetime.date(year, month, day))


def line(calendar, name: str):
    return next(row for row in calendar.lines if f"{row.granularity}-{row.number}" == name)


def cell(calendar, name: str, kind: str):
    codes = [k.code for k in calendar.kinds]
    return line(calendar, name).cells[codes.index(kind)]


# --- one organization's year ---------------------------------------------------------------------


def test_a_branchs_year_has_its_kinds_and_counts_by_month(tree, records_period):
    meet(tree.a1a, "committee_meeting", (1, 8), (2, 3), (2, 20), (4, 9))
    meet(tree.a1b, "committee_meeting", (3, 3))  # another branch
    meet(tree.a1a, "committee_meeting", (3, 3), year=2025)  # another year

    calendar = selectors.branch_calendar(tree.a1a, 2026, today=TODAY)

    assert [k.code for k in calendar.kinds] == [
        "members_meeting",
        "committee_meeting",
        "group_meeting",
        "lecture",
        "theme_day",
        "life_meeting",
        "appraisal_meeting",
    ]
    counts = [cell(calendar, f"month-{m}", "committee_meeting").count for m in range(1, 13)]
    assert counts == [1, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert cell(calendar, "quarter-1", "committee_meeting").count == 3
    assert cell(calendar, "year-2026", "committee_meeting").count == 4


def test_a_monthly_kind_is_judged_month_by_month(tree, records_period):
    meet(tree.a1a, "committee_meeting", (1, 8), (2, 3), (4, 9))

    calendar = selectors.branch_calendar(tree.a1a, 2026, today=TODAY)

    states = [cell(calendar, f"month-{m}", "committee_meeting").state for m in range(1, 8)]
    assert states == [MET, MET, GAP, MET, DUE, FUTURE, FUTURE]
    # Per month only: its quarter and year lines carry no mark.
    assert cell(calendar, "quarter-1", "committee_meeting").state == ""
    assert cell(calendar, "year-2026", "committee_meeting").state == ""


def test_a_quarterly_kind_is_judged_by_quarter(tree, records_period):
    meet(tree.a1a, "members_meeting", (2, 14))

    calendar = selectors.branch_calendar(tree.a1a, 2026, today=TODAY)

    assert [cell(calendar, f"month-{m}", "members_meeting").state for m in (1, 2, 3)] == [""] * 3
    quarters = [cell(calendar, f"quarter-{q}", "members_meeting").state for q in (1, 2, 3, 4)]
    assert quarters == [MET, DUE, FUTURE, FUTURE]


def test_a_yearly_kind_is_judged_on_the_year(tree, records_period):
    calendar = selectors.branch_calendar(tree.a1a, 2026, today=TODAY)
    assert cell(calendar, "year-2026", "life_meeting").state == DUE
    past = selectors.branch_calendar(tree.a1a, 2025, today=TODAY)
    assert cell(past, "year-2025", "life_meeting").state == GAP


def test_the_gaps_so_far_are_counted(tree, records_period):
    meet(tree.a1a, "committee_meeting", (1, 8))
    calendar = selectors.branch_calendar(tree.a1a, 2026, today=TODAY)
    # Months over by 15 May: January to April. Committee meetings missing in February to April,
    # group meetings and themed days in all four; the members' meeting and the party lecture of
    # the first quarter. Nothing of the running quarter or year is a gap yet.
    assert calendar.gaps == 3 + 4 + 4 + 1 + 1


def test_a_committee_has_only_the_kinds_that_apply_to_it(tree, records_period):
    calendar = selectors.branch_calendar(tree.a, 2026, today=TODAY)
    assert [k.code for k in calendar.kinds] == ["lecture"]


def test_a_branchs_year_is_two_queries_or_so(tree, records_period, django_assert_max_num_queries):
    meet(tree.a1a, "committee_meeting", (1, 8), (2, 3))
    with django_assert_max_num_queries(3):  # the framework of the year (1–2), the meetings
        selectors.branch_calendar(tree.a1a, 2026, today=TODAY)


# --- one kind across a subtree -------------------------------------------------------------------


def kind(code: str):
    return selectors.config_of_year(2026, TODAY).kind(code)


def test_the_organizations_below_that_hold_the_kind_are_its_rows(tree, records_period):
    committee = selectors.committee_calendar(tree.a, 2026, kind("committee_meeting"), today=TODAY)
    groups = selectors.committee_calendar(tree.a, 2026, kind("group_meeting"), today=TODAY)

    assert [row.organization for row in committee.rows] == [tree.a1, tree.a1a, tree.a1b]
    assert [row.organization for row in groups.rows] == [tree.a1a, tree.a1b]  # branches only


def test_which_branches_held_no_meeting_in_which_months(tree, records_period):
    meet(tree.a1a, "committee_meeting", (1, 8), (2, 3), (3, 3), (4, 9))
    meet(tree.a1b, "committee_meeting", (1, 20), (3, 10))
    meet(tree.a1b, "theme_day", (2, 1))  # another kind

    calendar = selectors.committee_calendar(tree.a1, 2026, kind("committee_meeting"), today=TODAY)

    rows = {row.organization.code: row for row in calendar.rows}
    assert [c.count for c in rows["A1b"].months[:5]] == [1, 0, 1, 0, 0]
    assert [c.state for c in rows["A1b"].months[:6]] == [MET, GAP, MET, GAP, DUE, FUTURE]
    assert (rows["A1a"].gaps, rows["A1b"].gaps, rows["A1"].gaps) == (0, 2, 4)
    assert calendar.total == 3
    assert calendar.without[:5] == [1, 2, 1, 2, 3]
    assert not calendar.by_quarter


def test_a_quarterly_kind_across_a_subtree_is_judged_by_quarter(tree, records_period):
    meet(tree.a1a, "lecture", (2, 14))
    calendar = selectors.committee_calendar(tree.a1, 2026, kind("lecture"), today=TODAY)
    rows = {row.organization.code: row for row in calendar.rows}
    assert calendar.by_quarter
    assert [c.state for c in rows["A1a"].quarters] == [MET, DUE, FUTURE, FUTURE]
    assert [c.state for c in rows["A1b"].quarters] == [GAP, DUE, FUTURE, FUTURE]
    assert {c.state for c in rows["A1a"].months} == {""}


def test_the_view_across_a_subtree_takes_the_same_queries_however_many_branches(
    tree, records_period
):
    committee_meeting = kind("committee_meeting")
    meet(tree.a1a, "committee_meeting", (1, 8), (2, 3))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            calendar = selectors.committee_calendar(tree.a, 2026, committee_meeting, today=TODAY)
        return len(captured), len(calendar.rows)

    few = queries()
    for n in range(12):
        branch = OrganizationFactory(parent=tree.a1)
        meet(branch, "committee_meeting", (1 + n % 5, 2))
    many = queries()

    assert few == (3, 3)  # how many organizations, a page of them, the grouped meetings
    assert many == (3, 15)


def test_a_large_subtree_is_paged_but_counted_whole(tree, records_period):
    for _n in range(4):
        OrganizationFactory(parent=tree.a1)
    committee_meeting = kind("committee_meeting")
    first = selectors.committee_calendar(
        tree.a, 2026, committee_meeting, page=1, per_page=5, today=TODAY
    )
    second = selectors.committee_calendar(
        tree.a, 2026, committee_meeting, page=2, per_page=5, today=TODAY
    )
    assert (len(first.rows), len(second.rows)) == (5, 2)
    assert first.total == second.total == 7
    assert first.without[0] == 7


# --- the page ------------------------------------------------------------------------------------

CALENDAR = "/records/calendar/"


@pytest.fixture
def client_for(client_for, settings):
    def login(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def test_a_secretary_sees_her_branchs_year_with_links_to_the_meetings(
    client_for, tree, records_period, alice
):
    meet(tree.a1a, "committee_meeting", (1, 8), (3, 3))

    shown = page(client_for(alice).get(f"{CALENDAR}?year=2025"))
    this_year = page(client_for(alice).get(CALENDAR))

    assert shown.text("h1") == "Organizational life of A1a branch"
    assert shown.has("[data-calendar='branch']")
    assert shown.has(".table-responsive [data-calendar='branch']")  # scrolls on a phone
    assert not shown.has("[data-calendar='committee']")
    assert shown.has("[data-line='month-1'] [data-state='gap']")  # 2025 is over: all missing
    january = this_year.attr("[data-line='month-1'] [data-count='1'] a", "href")
    assert january == (
        f"/records/organizations/{tree.a1a.pk}/meetings/?kind=committee_meeting&year=2026&month=1"
    )
    assert this_year.texts("[data-line='quarter-1'] [data-count]")[1] == "2"


def test_a_reviewer_sees_the_branches_below_one_kind_at_a_time(
    client_for, tree, records_period, carol
):
    meet(tree.a1a, "theme_day", (2, 1))
    client = client_for(carol)

    default = page(client.get(f"{CALENDAR}?year=2026"))
    themed = page(client.get(f"{CALENDAR}?org={tree.a1.pk}&year=2026&kind=theme_day"))
    own = page(client.get(f"{CALENDAR}?org={tree.a1.pk}&year=2026&view=own"))

    assert default.attr("[data-kind][aria-current='page']", "data-kind") == "committee_meeting"
    assert default.texts("[data-calendar='committee'] tbody th") == [
        "A1 general branch",
        "A1a branch",
        "A1b branch",
    ]
    assert themed.one("[data-org='A1a'] td:nth-of-type(2)")["data-count"] == "1"
    assert own.has("[data-calendar='branch']")


def test_an_organization_outside_the_scope_is_404(client_for, tree, records_period, alice):
    assert client_for(alice).get(f"{CALENDAR}?org={tree.a1b.pk}").status_code == 404


def test_a_garbled_query_falls_back_to_the_defaults(client_for, tree, records_period, alice):
    response = client_for(alice).get(f"{CALENDAR}?year=²⁰²⁶&kind=<script>&org=x")
    assert response.status_code == 200
    assert page(response).text("h1") == "Organizational life of A1a branch"


def test_a_user_without_a_role_is_told_so(client_for, tree, records_period, frank):
    response = client_for(frank).get(CALENDAR)
    assert response.status_code == 200
    assert "no_role.html" in [t.name for t in response.templates]
