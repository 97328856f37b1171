"""The audit trail's list sorted by column (time, kind, user, target), newest first by default,
paged by the size asked; the exports follow a sort the list was given and stay in the chain's
order otherwise; an auditor of one committee never sees a sibling committee's entries, sorted or
exported. On PostgreSQL every sortable column is read off an index, never sorted whole."""

import csv
import io

import pytest
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from audit.services import record, record_many
from auditing import selectors
from auditing.views import _listing
from tests.html import page

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")
CSV = reverse("audit:export_csv")
XLSX = reverse("audit:export_xlsx")


@pytest.fixture
def entries(tree, alice, bob):
    """In A1a: alice's value change on submission:9 and bob's report on report:1; in A1b a
    system transition on submission:2; in B1 bob's value change on submission:1."""
    return {
        "a1a_value": record(
            "value.changed", actor=alice, organization=tree.a1a, target="submission:9"
        ),
        "a1a_report": record(
            "report.generated", actor=bob, organization=tree.a1a, target="report:1"
        ),
        "a1b": record("submission.transition", organization=tree.a1b, target="submission:2"),
        "b1": record("value.changed", actor=bob, organization=tree.b1, target="submission:1"),
    }


def shown_ids(client, **query) -> list[int]:
    response = client.get(LIST, query)
    assert response.status_code == 200
    return [s.entry.pk for s in response.context["rows"] if s.entry.kind != "role.assigned"]


def exported_ids(response) -> list[int]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))[1:]
    return [int(row[0]) for row in rows if row[2] != "role.assigned"]


def test_the_list_stays_newest_first_by_default(client_for, erin, entries):
    response = client_for(erin).get(LIST, HTTP_ACCEPT_LANGUAGE="en")
    ids = [shown.entry.pk for shown in response.context["rows"]]
    assert ids == sorted(ids, reverse=True)
    html = page(response)
    assert html.text("#audit-entries-title") == "Entries, newest first"
    assert html.attr("th[aria-sort]", "aria-sort") == "descending"
    assert "sort=time" in html.attr("th[aria-sort] [data-sort-link]", "href")


def test_the_list_sorts_by_kind_with_ties_in_time_order(client_for, dave, entries):
    client = client_for(dave)
    by_kind = [entries[k].pk for k in ("a1a_report", "a1b", "a1a_value")]
    assert shown_ids(client, sort="kind") == by_kind
    assert shown_ids(client, sort="-kind") == list(reversed(by_kind))


def test_the_list_sorts_by_user_and_by_target(client_for, dave, entries):
    client = client_for(dave)
    # No user (the system) first, then alice, bob.
    by_user = [entries[k].pk for k in ("a1b", "a1a_value", "a1a_report")]
    assert shown_ids(client, sort="user") == by_user
    by_target = [entries[k].pk for k in ("a1a_report", "a1b", "a1a_value")]
    assert shown_ids(client, sort="target") == by_target
    assert shown_ids(client, sort="-target") == list(reversed(by_target))


def test_the_list_sorts_by_time_either_way(client_for, dave, entries):
    client = client_for(dave)
    oldest_first = shown_ids(client, sort="time")
    assert oldest_first == sorted(oldest_first)
    assert shown_ids(client, sort="-time") == list(reversed(oldest_first))


def test_a_column_no_index_serves_is_not_sortable(client_for, erin, entries):
    client = client_for(erin)
    newest_first = shown_ids(client)
    for asked in ("address", "organization", "summary", "ip", "hash", "organization__path"):
        assert shown_ids(client, sort=asked) == newest_first
    html = page(client.get(LIST))
    headings = html.within(".audit-table > thead")
    assert not headings.has("th:nth-child(5) [data-sort-link]")  # the address


def test_a_sibling_committees_entries_are_never_listed_or_exported(client_for, dave, entries):
    client = client_for(dave)
    for sort in ("kind", "-user", "target"):
        assert entries["b1"].pk not in shown_ids(client, sort=sort)
        assert entries["b1"].pk not in exported_ids(client.get(CSV, {"sort": sort}))


def test_pages_by_the_size_asked_without_overlap(client_for, erin, tree):
    record_many(
        [
            {"kind": "value.changed", "target": f"n:{n:02d}", "organization": tree.a1a}
            for n in range(60)
        ]
    )
    client = client_for(erin)
    query = {"kind": "value.changed", "sort": "-target", "per_page": "25"}
    first = client.get(LIST, query)
    rows = [shown.entry.target for shown in first.context["rows"]]
    assert rows == [f"n:{n:02d}" for n in range(59, 34, -1)]
    html = page(first)
    assert html.attr("[data-per-page='25']", "aria-current") == "true"
    following = html.attr(".pagination a", "href")
    assert "per_page=25" in following
    assert "sort=-target" in following
    third = client.get(LIST, {**query, "page": 3})
    assert [shown.entry.target for shown in third.context["rows"]] == [
        f"n:{n:02d}" for n in range(9, -1, -1)
    ]
    assert third.context["page"]["next"] is None
    assert len(client.get(LIST, {"kind": "value.changed"}).context["rows"]) == 50


def test_the_exports_follow_the_chosen_sort(client_for, dave, entries):
    client = client_for(dave)
    by_kind = [entries[k].pk for k in ("a1a_report", "a1b", "a1a_value")]
    assert exported_ids(client.get(CSV, {"sort": "kind"})) == by_kind
    html = page(client.get(LIST, {"sort": "-kind"}))
    assert "sort=-kind" in html.attr(f"a[href^='{CSV}']", "href")


def test_without_a_sort_the_exports_keep_the_chains_order(client_for, dave, entries):
    ids = exported_ids(client_for(dave).get(CSV))
    assert ids == sorted(ids)


def test_a_sorted_page_takes_the_same_queries(
    client_for, erin, tree, django_assert_max_num_queries
):
    record_many(
        [{"kind": "value.changed", "organization": tree.a1a, "target": f"n:{n}"} for n in range(50)]
    )
    client = client_for(erin)
    client.get(LIST)
    with django_assert_max_num_queries(9):
        assert client.get(LIST, {"sort": "-user", "per_page": "200"}).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
@pytest.mark.parametrize("sort", ["kind", "-kind", "user", "-user", "target", "-target", "-time"])
def test_postgresql_reads_a_sorted_page_off_an_index(dave, erin, entries, sort):
    """GIVEN sorting (incremental too) made as costly as can be WHEN a sorted page is planned
    THEN it is an index scan in the asked order with no sort of its own: over millions of entries
    the page costs what its rows cost, whatever the size of a run of equal values."""
    for user in (erin, dave):
        request = RequestFactory().get(LIST, {"sort": sort})
        request.user = user
        entries_page = _listing(request).order(selectors.entries(user))[:51]
        sql, params = entries_page.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_incremental_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Index Scan" in plan, plan
        assert "Sort" not in plan.replace("Sort Key", ""), plan
