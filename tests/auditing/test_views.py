"""The auditors' pages: scope, filters, before/after, the badge, and the CSV and XLSX exports."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry, VerifyRun
from audit.services import record, run_verification
from tests.audit.conftest import TABLE, raw_sql
from tests.html import page

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")
CSV = reverse("audit:export_csv")
XLSX = reverse("audit:export_xlsx")


@pytest.fixture
def entries(tree, alice, bob, erin):
    """One entry in A1a, one in A1b, one in B1 and one group-wide (no organization)."""
    return {
        "a1a": record(
            "value.changed",
            actor=alice,
            organization=tree.a1a,
            target="submission:1",
            summary="A1a 支部",
            before={"C1.01": 1, "C2.01": None},
            after={"C1.01": 2, "C2.01": True},
            ip="10.0.0.1",
        ),
        "a1b": record(
            "submission.transition", actor=bob, organization=tree.a1b, target="submission:2"
        ),
        "b1": record("value.changed", organization=tree.b1, target="submission:3"),
        "group": record("framework.published", actor=erin, target="framework:1"),
    }


def ids(response) -> set[int]:
    """The entries listed, less the role assignments the user fixtures recorded."""
    assert response.status_code == 200, response.content
    return {
        shown.entry.pk for shown in response.context["rows"] if shown.entry.kind != "role.assigned"
    }


def test_an_auditor_sees_the_entries_of_the_subtree_they_audit(client_for, dave, entries):
    response = client_for(dave).get(LIST)
    seen = ids(response)
    assert {entries["a1a"].pk, entries["a1b"].pk} <= seen
    assert entries["b1"].pk not in seen
    assert entries["group"].pk not in seen  # group-wide: for auditors of the whole tree


def test_a_group_administrator_sees_everything(client_for, erin, entries):
    seen = ids(client_for(erin).get(LIST))
    assert {e.pk for e in entries.values()} <= seen


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "frank"])
def test_anyone_who_audits_nothing_gets_404_everywhere(request, client_for, entries, who):
    client = client_for(request.getfixturevalue(who))
    for url in (LIST, CSV, XLSX, reverse("audit:detail", args=[entries["a1a"].pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("audit:verify")).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(client, entries):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("login") in response.url


def test_an_entry_outside_the_scope_is_404(client_for, dave, entries):
    client = client_for(dave)
    assert client.get(reverse("audit:detail", args=[entries["a1a"].pk])).status_code == 200
    assert client.get(reverse("audit:detail", args=[entries["b1"].pk])).status_code == 404
    assert client.get(reverse("audit:detail", args=[entries["group"].pk])).status_code == 404


def test_the_detail_shows_before_and_after_and_the_hashes(client_for, erin, entries):
    entry = entries["a1a"]
    response = client_for(erin).get(reverse("audit:detail", args=[entry.pk]))
    changes = {c.key: (c.before, c.after, c.changed) for c in response.context["changes"]}
    assert changes == {"C1.01": ("1", "2", True), "C2.01": (None, "是", True)}
    shown = page(response)
    details = dict(zip(shown.texts("dl > dt"), shown.texts("dl > dd"), strict=True))
    assert details["哈希"] == entry.hash
    assert details["前一哈希"] == entry.prev_hash
    assert details["地址"] == "10.0.0.1"


def test_the_list_rows_expand_to_before_and_after(client_for, erin, entries):
    shown = page(client_for(erin).get(LIST, HTTP_ACCEPT_LANGUAGE="en"))
    row = shown.within(f'tr[data-entry="{entries["a1a"].pk}"]')
    assert row.has("details > table.audit-changes tr.audit-changed")
    assert ["C1.01", "1", "2"] in row.rows("details > table.audit-changes > tbody")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"user": "ALI"}, {"a1a"}),
        ({"kind": "value.changed"}, {"a1a", "b1"}),
        ({"kind": "submission"}, {"a1b"}),
        ({"q": "支部"}, {"a1a"}),
        ({"q": "submission:3"}, {"b1"}),
        ({"target": "framework:1"}, {"group"}),
    ],
)
def test_filters(client_for, erin, entries, params, expected):
    seen = ids(client_for(erin).get(LIST, params))
    assert seen == {entries[name].pk for name in expected}


def test_the_organization_filter_takes_the_subtree(client_for, erin, dave, tree, entries):
    assert ids(client_for(erin).get(LIST, {"within": tree.a1.pk})) == {
        entries["a1a"].pk,
        entries["a1b"].pk,
    }
    # An organization outside the auditor's scope gives nothing, as one that does not exist.
    assert ids(client_for(dave).get(LIST, {"within": tree.b.pk})) == set()


def test_the_organization_picker_lists_the_scope_only(client_for, dave, tree, entries):
    response = client_for(dave).get(LIST)
    choices = {org.pk for org in response.context["organizations"]}
    assert tree.a.pk in choices
    assert tree.b.pk not in choices
    assert tree.group.pk not in choices


def test_the_period_filter(client_for, erin, period, tree):
    entry = record("value.changed", organization=tree.a1a, period=period)
    seen = ids(client_for(erin).get(LIST, {"period": period.pk}))
    assert entry.pk in seen
    assert all(AuditEntry.objects.get(pk=pk).period_id == period.pk for pk in seen)


def test_the_time_filters_include_the_whole_last_day(client_for, erin, entries):
    today = timezone.localdate()
    client = client_for(erin)
    assert ids(client.get(LIST, {"since": today.isoformat(), "until": today.isoformat()})) == {
        e.pk for e in entries.values()
    }
    yesterday = today - datetime.timedelta(days=1)
    assert ids(client.get(LIST, {"until": yesterday.isoformat()})) == set()
    tomorrow = today + datetime.timedelta(days=1)
    assert ids(client.get(LIST, {"since": tomorrow.isoformat()})) == set()


def test_a_bad_date_is_an_error_and_lists_nothing(client_for, erin, entries):
    response = client_for(erin).get(LIST, {"since": "yesterday"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Some filters are not valid" in page(response).text('.card-footer[role="alert"]')
    assert client_for(erin).get(CSV, {"since": "yesterday"}).status_code == 400


def test_pages_of_fifty_newest_first(client_for, erin, tree):
    from audit.services import record_many

    record_many([{"kind": "value.changed", "target": f"n:{n}"} for n in range(60)])
    client = client_for(erin)
    first = client.get(LIST)
    rows = [shown.entry.pk for shown in first.context["rows"]]
    assert len(rows) == 50
    assert rows == sorted(rows, reverse=True)
    assert first.context["page"]["next"] == 2
    second = client.get(LIST, {"page": 2})
    assert second.context["page"]["next"] is None
    assert max(shown.entry.pk for shown in second.context["rows"]) < min(rows)


def test_the_list_costs_a_fixed_number_of_queries(
    client_for, erin, tree, django_assert_max_num_queries
):
    from audit.services import record_many

    record_many(
        [{"kind": "value.changed", "organization": tree.a1a, "target": f"n:{n}"} for n in range(50)]
    )
    client = client_for(erin)
    client.get(LIST)
    with django_assert_max_num_queries(9):
        assert client.get(LIST).status_code == 200


def test_the_badge_shows_the_last_verification(client_for, erin, entries):
    client = client_for(erin)

    def badge() -> str:
        return page(client.get(LIST, HTTP_ACCEPT_LANGUAGE="en")).text("#audit-badge .badge")

    assert badge() == "Chain not verified yet"

    run_verification()
    intact = badge()
    assert intact.startswith("Chain intact (checked at")
    assert f"{AuditEntry.objects.count()} entries" in intact

    raw_sql(f"UPDATE {TABLE} SET summary = 'x' WHERE id = %s", [entries["a1b"].pk])
    run_verification()
    assert badge().startswith(f"Chain broken at #{entries['a1b'].pk} ")


def test_the_verify_button_runs_a_verification(client_for, dave, entries):
    response = client_for(dave).post(reverse("audit:verify"), follow=True)
    assert response.redirect_chain[-1][0] == LIST
    run = VerifyRun.objects.get()
    assert run.intact
    assert run.entries == AuditEntry.objects.count()
    assert client_for(dave).get(reverse("audit:verify")).status_code == 405


def test_csv_export_has_the_filtered_entries_with_text_made_inert(client_for, erin, tree, entries):
    formula = record(
        "report.generated", organization=tree.a1a, summary='=HYPERLINK("http://x")', target="r:1"
    )
    response = client_for(erin).get(CSV, {"within": tree.a1a.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, *body = rows
    assert header[0] == "Entry"
    body = [row for row in body if row[2] != "role.assigned"]
    assert [int(row[0]) for row in body] == [entries["a1a"].pk, formula.pk]
    first = dict(zip(header, body[0], strict=True))
    assert first["User"] == "alice"
    assert first["Address"] == "10.0.0.1"
    assert first["Before"] == '{"C1.01": 1, "C2.01": null}'
    assert first["Hash"] == entries["a1a"].hash
    assert dict(zip(header, body[1], strict=True))["Summary"] == '\'=HYPERLINK("http://x")'


def test_xlsx_export_keeps_formulas_as_text(client_for, erin, tree, entries):
    record("report.generated", organization=tree.a1a, summary="=1+1", target="@evil")
    response = client_for(erin).get(XLSX, {"within": tree.a1a.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Entry"
    last = rows[-1]
    assert "'=1+1" in last
    assert "'@evil" in last
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"


def test_exports_respect_the_scope(client_for, dave, entries):
    text = b"".join(client_for(dave).get(CSV).streaming_content).decode("utf-8-sig")
    exported = {int(row[0]) for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert entries["a1a"].pk in exported
    assert entries["b1"].pk not in exported
    assert entries["group"].pk not in exported


def test_an_excel_export_beyond_its_limit_is_refused_for_the_csv(
    client_for, erin, entries, settings
):
    settings.AUDIT_XLSX_MAX_ROWS = 1
    client = client_for(erin)

    refused = client.get(XLSX, HTTP_ACCEPT_LANGUAGE="en")
    streamed = client.get(CSV, HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 400
    assert "More than 1 entries match" in refused.content.decode()
    assert streamed.status_code == 200
    assert len(b"".join(streamed.streaming_content).decode("utf-8-sig").splitlines()) > 2
