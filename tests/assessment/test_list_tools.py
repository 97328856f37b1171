"""Sorting, page size and exports of the assessment lists (core.lists): the review queue, a
secretary's to-do list, completeness, the periods and the frameworks.

An export holds what the list holds, all its pages, in its order: never a row of an organization
the user may not see. The tree (tests/conftest.py): G → A → A1 → {A1a, A1b}, G → B → B1; alice
is secretary of A1a, bob of A1b, carol reviewer on A, erin administrator on G, frank has no role.
"""

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessment.choices import SubmissionState
from assessment.models import Period, Submission
from assessment.views.lists import QUERY_KEY
from audit.models import AuditEntry
from core import lists
from tests.factories import (
    FrameworkFactory,
    OrganizationFactory,
    PeriodFactory,
    SubmissionFactory,
    TransitionFactory,
)
from tests.html import page

from .queue_support import CLEAN, departments, queue_framework, submit_with, waited

pytestmark = pytest.mark.django_db

QUEUE = reverse("assessment:queue")
MY = reverse("assessment:my_submissions")
COMPLETENESS = reverse("assessment:completeness")
PERIODS = reverse("assessment:period_list")
FRAMEWORKS = reverse("assessment:framework_list")

QUEUE_HEADINGS = [
    "Subject",
    "Organization",
    "Unit kind",
    "Period",
    "State",
    "Score",
    "Maximum",
    "Grade",
    "Veto",
    "Warnings",
    "Evidence",
    "Days waiting",
]


@pytest.fixture
def framework_doc() -> dict:
    return queue_framework()


def exported(response) -> list[list[str]]:
    """The rows of a CSV answer, headings first."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def workbook(response) -> list[list]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def shown_ids(response, row: str = "tr[data-submission]", key: str = "data-submission") -> list:
    assert response.status_code == 200, response.content
    return [int(tag[key]) for tag in page(response).select(row)]


def names_of(ids: list[int]) -> list[str]:
    by_id = dict(Submission.objects.filter(pk__in=ids).values_list("pk", "subject_name"))
    return [by_id[pk] for pk in ids]


def exports(kind: str = lists.EXPORT_KIND) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=kind).order_by("pk"))


# The review queue


def test_the_queue_exports_every_page_in_its_order_with_the_columns_shown(
    client_for, period, tree, alice, carol
):
    departments(period, tree.a1a, 30, alice)
    client = client_for(carol)
    asked = {"sort": "-name", "per_page": 25}
    on_pages = shown_ids(client.get(QUEUE, asked)) + shown_ids(
        client.get(QUEUE, {**asked, "page": 2})
    )
    rows = exported(
        client.get(QUEUE, {**asked, "export": "csv", "page": 2}, HTTP_ACCEPT_LANGUAGE="en")
    )
    assert rows[0] == QUEUE_HEADINGS
    assert [row[0] for row in rows[1:]] == names_of(on_pages)
    assert len(rows) == 31
    assert rows[1][1:] == [
        tree.a1a.name_en,
        "Department",
        period.name_en,
        "Submitted",
        "100.0",
        "100.0",
        "Excellent",
        "",
        "0",
        "1",
        "0",
    ]


def test_the_queue_export_follows_the_score_sort_and_the_warnings_filter(
    client_for, period, tree, alice, bob, carol
):
    a1a = period.submissions.get(organization=tree.a1a)
    a1b = period.submissions.get(organization=tree.a1b)
    submit_with(a1a, alice)  # 100 points, clean
    submit_with(a1b, bob, {**CLEAN, "C1.01": "6", "C1.09": "yes"})  # 80 points, vetoed
    waited(a1a, 5)
    client = client_for(carol)
    rows = exported(client.get(QUEUE, {"sort": "score", "export": "csv"}))
    assert [row[0] for row in rows[1:]] == [a1b.subject_name, a1a.subject_name]
    assert [row[5] for row in rows[1:]] == ["80.0", "100.0"]
    assert rows[1][8].startswith("C1.09 ")
    assert [row[11] for row in rows[1:]] == ["0", "5"]
    rows = exported(client.get(QUEUE, {"warnings": "vetoed", "export": "csv"}))
    assert [row[0] for row in rows[1:]] == [a1b.subject_name]


def test_a_committees_reviewer_never_exports_a_sibling_committees_submissions(
    client_for, period, tree, carol, erin
):
    every_state = {"state": "", "export": "csv"}
    carols = exported(client_for(carol).get(QUEUE, every_state, HTTP_ACCEPT_LANGUAGE="en"))
    assert sorted(row[1] for row in carols[1:]) == [tree.a1a.name_en, tree.a1b.name_en]
    erins = exported(client_for(erin).get(QUEUE, every_state, HTTP_ACCEPT_LANGUAGE="en"))
    assert tree.b1.name_en in {row[1] for row in erins[1:]}


def test_a_queue_export_is_audited_with_its_filters(client_for, period, tree, alice, carol):
    departments(period, tree.a1a, 2, alice)
    exported(client_for(carol).get(QUEUE, {"sort": "-score", "export": "csv", "page": "2"}))
    (entry,) = exports()
    assert entry.target == QUEUE
    assert entry.actor_id == carol.pk
    assert entry.after == {"filters": {"sort": "-score"}, "rows": 2, "format": "csv"}


def test_the_queue_exports_a_workbook(client_for, period, tree, alice, carol):
    departments(period, tree.a1a, 3, alice)
    rows = workbook(client_for(carol).get(QUEUE, {"sort": "name", "export": "xlsx"}))
    assert len(rows) == 4
    assert [row[0] for row in rows[1:]] == ["部门 00", "部门 01", "部门 02"]
    assert rows[1][5] == 100


def test_a_queue_workbook_beyond_the_limit_is_refused_and_not_audited(
    client_for, period, tree, alice, carol, monkeypatch
):
    monkeypatch.setattr(lists, "XLSX_MAX_ROWS", 2)
    departments(period, tree.a1a, 3, alice)
    response = client_for(carol).get(QUEUE, {"export": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "CSV" in response.content.decode()
    assert not exports()
    assert len(exported(client_for(carol).get(QUEUE, {"export": "csv"}))) == 4


def test_an_export_is_not_the_queue_a_decision_goes_back_to(client_for, period, tree, carol):
    client = client_for(carol)
    client.get(QUEUE, {"sort": "name"})
    client.get(QUEUE, {"sort": "kind", "export": "csv"})
    assert client.session[QUERY_KEY] == "sort=name"


def test_the_queue_offers_the_exports_of_what_it_shows(client_for, period, tree, alice, carol):
    departments(period, tree.a1a, 2, alice)
    shown = page(client_for(carol).get(QUEUE, {"sort": "-score", "page": "1"}))
    assert shown.attr('[data-export="csv"]', "href") == "?sort=-score&export=csv"
    assert shown.attr('[data-export="xlsx"]', "href") == "?sort=-score&export=xlsx"


@pytest.mark.parametrize("sort", ["", "-score"])
def test_a_queue_export_costs_the_same_queries_for_few_and_many_rows(
    client_for, period, tree, alice, carol, django_assert_max_num_queries, sort
):
    client = client_for(carol)
    departments(period, tree.a1a, 2, alice)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert len(exported(client.get(QUEUE, {"sort": sort, "export": "csv"}))) == 3
    departments(period, tree.a1a, 30, alice)
    cache.clear()
    with django_assert_max_num_queries(len(few)):
        assert len(exported(client.get(QUEUE, {"sort": sort, "export": "csv"}))) == 33


# A secretary's to-do list


def _drafts(period: Period, organization, count: int) -> list[Submission]:
    return [
        SubmissionFactory(
            period=period,
            organization=organization,
            for_department=True,
            subject_name=f"部门 {n:02d}",
        )
        for n in range(count)
    ]


def test_the_to_do_list_sorts_by_a_column_both_ways(client_for, period, tree, alice):
    _drafts(period, tree.a1a, 2)
    client = client_for(alice)
    ascending = shown_ids(client.get(MY, {"sort": "subject"}))
    assert names_of(ascending) == sorted(names_of(ascending))
    assert shown_ids(client.get(MY, {"sort": "-subject"})) == ascending[::-1]
    heading = page(client.get(MY, {"sort": "subject"})).one('th[aria-sort="ascending"] a')
    assert heading["href"] == "?sort=-subject"


def test_the_to_do_list_keeps_returned_ones_first_by_default(
    client_for, period, tree, alice, carol
):
    _draft, returned = _drafts(period, tree.a1a, 2)
    Submission.objects.filter(pk=returned.pk).update(state=SubmissionState.RETURNED)
    assert shown_ids(client_for(alice).get(MY))[0] == returned.pk
    assert shown_ids(client_for(alice).get(MY, {"sort": "nonsense"}))[0] == returned.pk


def test_the_to_do_list_page_size_is_chosen(client_for, period, tree, alice):
    _drafts(period, tree.a1a, 29)
    client = client_for(alice)
    assert len(shown_ids(client.get(MY, {"per_page": 25}))) == 25
    assert len(shown_ids(client.get(MY, {"per_page": 25, "page": 2}))) == 5
    assert page(client.get(MY, {"per_page": 25})).has('[data-per-page="25"][aria-current="true"]')


def test_the_to_do_list_exports_her_submissions_only_with_the_reasons(
    client_for, period, tree, alice, bob, carol
):
    (returned,) = _drafts(period, tree.a1a, 1)
    Submission.objects.filter(pk=returned.pk).update(state=SubmissionState.RETURNED)
    TransitionFactory(submission=returned, by=carol, reason="补充证明材料")
    _drafts(period, tree.a1b, 3)  # bob's branch: not alice's
    rows = exported(client_for(alice).get(MY, {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[0] == [
        "Subject",
        "Organization",
        "Period",
        "Deadline",
        "State",
        "Reason",
        "Returned by",
        "Returned on",
    ]
    assert [row[1] for row in rows[1:]] == [tree.a1a.name_en] * 2
    assert rows[1][0] == returned.subject_name
    assert rows[1][5:7] == ["补充证明材料", "carol"]
    assert rows[2][5:] == ["", "", ""]
    (entry,) = exports()
    assert (entry.target, entry.after["rows"]) == (MY, 2)


def test_the_to_do_list_export_costs_the_same_queries_for_few_and_many_rows(
    client_for, period, tree, alice, carol, django_assert_max_num_queries
):
    client = client_for(alice)
    for extra in _drafts(period, tree.a1a, 2):
        TransitionFactory(submission=extra, by=carol, reason="理由")
    with CaptureQueriesContext(connection) as few:
        assert len(exported(client.get(MY, {"export": "csv"}))) == 4
    for extra in _drafts(period, tree.a1a, 40):
        TransitionFactory(submission=extra, by=carol, reason="理由")
    with django_assert_max_num_queries(len(few)):
        assert len(exported(client.get(MY, {"export": "csv"}))) == 44


# Completeness


@pytest.fixture
def uneven(period, tree):
    """A1b with two departments beside its own subject: A has four subjects, B one."""
    _drafts(period, tree.a1b, 2)
    return period


def completeness_rows(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["data-row"] for row in page(response).select("tr[data-row]")]


def test_completeness_sorts_the_children_by_a_column(client_for, tree, uneven, erin):
    client = client_for(erin)
    assert completeness_rows(client.get(COMPLETENESS, {"org": tree.group.pk})) == [
        "A",
        "B",
        "total",
    ]
    descending = client.get(COMPLETENESS, {"org": tree.group.pk, "sort": "-organization"})
    assert completeness_rows(descending) == ["B", "A", "total"]
    fewest = client.get(COMPLETENESS, {"org": tree.group.pk, "sort": "expected"})
    assert completeness_rows(fewest) == ["B", "A", "total"]


def test_completeness_pages_the_children_and_keeps_the_total(
    client_for, published_framework, tree, erin
):
    for n in range(27):
        OrganizationFactory(code=f"B1-{n:02d}", parent=tree.b1)
    PeriodFactory(framework=published_framework, year=2026)
    client = client_for(erin)
    first = completeness_rows(client.get(COMPLETENESS, {"org": tree.b1.pk, "per_page": 25}))
    second = client.get(COMPLETENESS, {"org": tree.b1.pk, "per_page": 25, "page": 2})
    assert (first[0], first[-1], len(first)) == ("own", "total", 27)
    assert completeness_rows(second) == ["own", "B1-25", "B1-26", "total"]


def test_the_completeness_export_holds_every_line_of_the_scope_only(
    client_for, tree, uneven, carol, erin
):
    rows = exported(
        client_for(carol).get(
            COMPLETENESS,
            {"org": tree.a1.pk, "sort": "-expected", "export": "csv"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    )
    assert rows == [
        ["Organization", "Code", "Expected", "Submitted", "Approved", "Overdue", "Progress"],
        [tree.a1b.name_en, "A1b", "3", "0", "0", "0", "0"],
        [tree.a1a.name_en, "A1a", "1", "0", "0", "0", "0"],
        ["Total", "", "4", "0", "0", "0", "0"],
    ]
    at_the_top = exported(client_for(carol).get(COMPLETENESS, {"export": "csv"}))
    assert [row[1] for row in at_the_top[1:]] == ["A1", ""]  # not B, a sibling committee
    assert (
        client_for(carol).get(COMPLETENESS, {"org": tree.b.pk, "export": "csv"}).status_code == 404
    )
    assert [entry.target for entry in exports()] == [COMPLETENESS, COMPLETENESS]


def test_the_completeness_export_names_the_organizations_own_subjects(
    client_for, tree, period, alice
):
    rows = exported(
        client_for(alice).get(COMPLETENESS, {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    )
    assert [row[:3] for row in rows[1:]] == [
        [f"{tree.a1a.name_en} itself", "A1a", "1"],
        ["Total", "", "1"],
    ]


# Periods


@pytest.fixture
def two_periods(period, published_framework):
    """The year 2026 (opened) and 2027 (planned)."""
    later = Period.objects.create(
        framework=published_framework,
        kind="year",
        name="2027年度",
        name_en="Year 2027",
        start=datetime.date(2027, 1, 1),
        end=datetime.date(2027, 12, 31),
        deadline=datetime.date(2028, 1, 31),
    )
    return period, later


def period_ids(response) -> list[int]:
    return shown_ids(response, "tr[data-period]", "data-period")


def test_the_periods_sort_by_a_column_both_ways(client_for, two_periods, alice):
    year, later = two_periods
    client = client_for(alice)
    assert period_ids(client.get(PERIODS)) == [later.pk, year.pk]
    assert period_ids(client.get(PERIODS, {"sort": "dates"})) == [year.pk, later.pk]
    assert period_ids(client.get(PERIODS, {"sort": "status"})) == [year.pk, later.pk]
    assert period_ids(client.get(PERIODS, {"sort": "-status"})) == [later.pk, year.pk]


def test_the_periods_page_size_is_chosen(client_for, period, published_framework, alice):
    for year in range(2000, 2026):
        PeriodFactory(framework=published_framework, year=year, opened=False)
    client = client_for(alice)
    assert len(period_ids(client.get(PERIODS, {"per_page": 25}))) == 25
    assert len(period_ids(client.get(PERIODS, {"per_page": 25, "page": 2}))) == 2


def test_the_periods_export_counts_only_the_submissions_in_scope(
    client_for, two_periods, alice, erin
):
    year, _later = two_periods

    def exported_rows(user) -> list[list[str]]:
        response = client_for(user).get(PERIODS, {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
        return exported(response)

    alices = exported_rows(alice)
    assert alices[0] == [
        "Name",
        "Kind",
        "Framework",
        "Start",
        "End",
        "Deadline",
        "Status",
        "Submissions",
        "Submitted",
        "Approved",
    ]
    assert [row[0] for row in alices[1:]] == ["Year 2027", year.name_en]
    assert [row[7] for row in alices[1:]] == ["0", "1"]
    assert [row[7] for row in exported_rows(erin)[1:]] == ["0", "3"]
    assert [entry.actor_id for entry in exports()] == [alice.pk, erin.pk]


def test_the_periods_export_costs_the_same_queries_for_few_and_many(
    client_for, period, published_framework, erin, django_assert_max_num_queries
):
    client = client_for(erin)
    with CaptureQueriesContext(connection) as few:
        assert len(exported(client.get(PERIODS, {"export": "csv"}))) == 2
    for year in range(2000, 2020):
        PeriodFactory(framework=published_framework, year=year, opened=year % 2 == 0)
    with django_assert_max_num_queries(len(few)):
        assert len(exported(client.get(PERIODS, {"export": "csv"}))) == 22


def test_the_periods_export_is_404_without_a_role(client_for, period, frank):
    assert client_for(frank).get(PERIODS, {"export": "csv"}).status_code == 404
    assert not exports()


# Frameworks


def framework_ids(response) -> list[int]:
    return shown_ids(response, "tr[data-framework]", "data-framework")


def framework(code: str, version: str = "1.0"):
    document = queue_framework()
    document.update(code=code, version=version)
    return FrameworkFactory(document=document, published=False)


@pytest.fixture
def versions(published_framework):
    """The small framework and a draft of another one whose code sorts after it."""
    return published_framework, framework("zz-other")


def test_the_frameworks_sort_by_a_column_both_ways(client_for, versions, alice):
    small, other = versions
    client = client_for(alice)
    assert framework_ids(client.get(FRAMEWORKS)) == [small.pk, other.pk]
    assert framework_ids(client.get(FRAMEWORKS, {"sort": "-code"})) == [other.pk, small.pk]
    assert framework_ids(client.get(FRAMEWORKS, {"sort": "status"})) == [other.pk, small.pk]
    heading = page(client.get(FRAMEWORKS)).one('th[aria-sort="ascending"] a')
    assert heading["href"] == "?sort=-code"


def test_the_frameworks_page_size_is_chosen(client_for, published_framework, alice):
    for n in range(26):
        framework(f"f{n:02d}")
    client = client_for(alice)
    assert len(framework_ids(client.get(FRAMEWORKS, {"per_page": 25}))) == 25
    assert len(framework_ids(client.get(FRAMEWORKS, {"per_page": 25, "page": 2}))) == 2


def test_the_frameworks_export_lists_every_version_in_order(client_for, versions, alice):
    small, other = versions
    rows = exported(
        client_for(alice).get(
            FRAMEWORKS, {"sort": "-code", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    )
    assert rows[0] == [
        "Name",
        "Code",
        "Version",
        "Status",
        "Dimensions",
        "Indicators",
        "Published",
    ]
    assert [row[1] for row in rows[1:]] == [other.code, small.code]
    (entry,) = exports()
    assert entry.after == {"filters": {"sort": "-code"}, "rows": 2, "format": "csv"}
    sheet = workbook(client_for(alice).get(FRAMEWORKS, {"export": "xlsx"}))
    assert [row[1] for row in sheet[1:]] == [small.code, other.code]


# -- notices ---------------------------------------------------------------------------------------

NOTICES = reverse("assessment:notices")


@pytest.fixture
def notices(alice, bob):
    """Alice's three notices (one read) and one of Bob's, created a minute apart."""
    from assessment.models import Notice

    made = []
    start = datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    for minutes, user, kind, reason, read in (
        (0, alice, "returned", "补充会议记录", None),
        (1, alice, "report", "报告已生成 /reports/1/", start),
        (2, alice, "returned", "核实人数", None),
        (3, bob, "returned", "Bob's own", None),
    ):
        notice = Notice.objects.create(user=user, kind=kind, reason=reason, read_at=read)
        Notice.objects.filter(pk=notice.pk).update(
            created_at=start + datetime.timedelta(minutes=minutes)
        )
        made.append(notice)
    return made


def test_notices_sort_page_and_export_only_the_users_own(client_for, alice, notices):
    client = client_for(alice)
    newest = page(client.get(NOTICES, HTTP_ACCEPT_LANGUAGE="en"))
    ids = [int(li["data-notice"]) for li in newest.select("[data-notice]")]
    assert ids == [notices[2].pk, notices[1].pk, notices[0].pk]
    assert newest.has('a[data-sort-link][href="?sort=kind"]')

    unread_first = page(client.get(NOTICES, {"sort": "read"}))
    ids = [int(li["data-notice"]) for li in unread_first.select("[data-notice]")]
    assert ids == [notices[2].pk, notices[0].pk, notices[1].pk]  # unread ones first, newest first
    read_first = page(client.get(NOTICES, {"sort": "-read"}))
    assert int(read_first.select("[data-notice]")[0]["data-notice"]) == notices[1].pk

    small = page(client.get(NOTICES, {"per_page": "25"}))
    assert small.has('[data-per-page="25"][aria-current="true"]')

    rows = exported(client.get(NOTICES, {"export": "csv"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[0] == ["Time", "Kind", "Read", "Notice", "Link"]
    assert len(rows) == 4  # Alice's three, never Bob's
    assert "Bob's own" not in str(rows)
    assert rows[1][3].endswith("核实人数")
    assert rows[2][4] == "/reports/1/"
    entry = AuditEntry.objects.get(kind=lists.EXPORT_KIND)
    assert (entry.target, entry.after["rows"]) == (NOTICES, 3)
