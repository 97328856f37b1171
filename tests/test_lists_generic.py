"""The list helper (core.lists): sort by declared columns only, page sizes from a fixed list, and
exports of exactly the queryset given, audited, the workbook bounded."""

import csv
import io

import pytest
from django.test import RequestFactory
from openpyxl import load_workbook

from audit.models import AuditEntry
from core import lists
from core.lists import Column, Listing
from organizations.models import Organization

pytestmark = pytest.mark.django_db

COLUMNS = (
    Column("code", "Code", ("code",), lambda o: o.code),
    Column("name", "Name", ("name",), lambda o: o.name),
    Column("note", "Note"),
)


def listing(query: str = "", user=None) -> Listing:
    request = RequestFactory().get(f"/things/?{query}")
    request.user = user
    return Listing(request, COLUMNS, default_sort="code", default_size=50)


def codes(queryset) -> list[str]:
    return list(queryset.values_list("code", flat=True))


def test_a_declared_column_sorts_either_way(tree):
    orgs = Organization.objects.filter(code__in=["A", "B", "G"])
    assert codes(listing("sort=code").order(orgs)) == ["A", "B", "G"]
    assert codes(listing("sort=-code").order(orgs)) == ["G", "B", "A"]


def test_an_undeclared_or_unsortable_column_falls_back_to_the_default(tree):
    orgs = Organization.objects.filter(code__in=["A", "B", "G"])
    for asked in ("sort=password", "sort=note", "sort=-parent__name", "sort="):
        shown = listing(asked)
        assert shown.sort == "code"
        assert codes(shown.order(orgs)) == ["A", "B", "G"]


def test_the_sorted_headings_turn_round_and_keep_the_filters_but_not_the_page():
    headings = listing("q=x&page=3&sort=code").headings
    assert headings["code"].active
    assert not headings["code"].descending
    assert headings["code"].url == "?q=x&sort=-code"
    assert headings["name"].url == "?q=x&sort=name"
    assert not headings["note"].sortable


def test_the_page_size_is_one_of_the_offered_sizes():
    assert listing("per_page=100").page_size == 100
    assert listing("per_page=100000").page_size == 50
    assert listing("per_page=abc").page_size == 50
    assert [size for size, _url, active in listing("per_page=25").sizes if active] == [25]


def test_the_csv_holds_the_given_rows_in_order_and_is_audited(tree, erin):
    shown = listing("export=csv&sort=-code&q=A", user=erin)
    rows = shown.order(Organization.objects.filter(code__in=["A", "A1"]))
    response = shown.export(rows, name="things", title="Things")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body))) == [
        ["Code", "Name"],
        ["A1", "甲一党总支"],
        ["A", "甲公司党委"],
    ]
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}
    entry = AuditEntry.objects.filter(kind=lists.EXPORT_KIND).get()
    assert entry.after == {"filters": {"sort": "-code", "q": "A"}, "rows": 2, "format": "csv"}
    assert entry.target == "/things/"


def test_the_workbook_holds_the_same_rows(tree, erin):
    shown = listing("export=xlsx", user=erin)
    response = shown.export(
        shown.order(Organization.objects.filter(code__in=["A", "B"])), name="t", title="T: [x]"
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [list(r) for r in book.active.iter_rows(values_only=True)] == [
        ["Code", "Name"],
        ["A", "甲公司党委"],
        ["B", "乙公司党委"],
    ]


def test_a_workbook_beyond_the_limit_is_refused_with_the_csv_advised(tree, erin, monkeypatch):
    monkeypatch.setattr(lists, "XLSX_MAX_ROWS", 2)
    shown = listing("export=xlsx", user=erin)
    response = shown.export(Organization.objects.all(), name="t", title="T")
    assert response.status_code == 400
    assert "CSV" in response.content.decode()
    assert not AuditEntry.objects.filter(kind=lists.EXPORT_KIND).exists()


def test_text_that_looks_like_a_formula_is_made_inert(tree, erin):
    Organization.objects.filter(code="A").update(name="=HYPERLINK(1)")
    shown = listing("export=csv", user=erin)
    response = shown.export(Organization.objects.filter(code="A"), name="t", title="T")
    assert "'=HYPERLINK(1)" in b"".join(response.streaming_content).decode("utf-8-sig")


def test_rows_held_in_memory_sort_by_their_attributes_missing_values_last():
    class Row:
        def __init__(self, code, parent=None):
            self.code, self.parent = code, parent

    rows = [Row("B", Row("x")), Row("A", Row("y")), Row(None, None), Row("C", Row("x"))]
    columns = (
        Column("code", "Code", ("code",)),
        Column("parent", "Parent", ("parent__code", "-code")),
    )

    def sorted_codes(query: str) -> list:
        request = RequestFactory().get(f"/things/?{query}")
        return [r.code for r in Listing(request, columns, default_sort="code").sort_items(rows)]

    assert sorted_codes("sort=code") == ["A", "B", "C", None]
    assert sorted_codes("sort=-code") == ["C", "B", "A", None]
    assert sorted_codes("sort=parent") == ["C", "B", "A", None]
    assert sorted_codes("sort=-parent") == ["A", "B", "C", None]


def test_rows_a_page_builds_are_exported_with_their_count(tree, erin):
    shown = listing("export=csv", user=erin)
    rows = (org for org in [tree.b, tree.a])
    response = shown.export(rows, count=2, name="t", title="T")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert [line[0] for line in csv.reader(io.StringIO(body))] == ["Code", "B", "A"]
    assert AuditEntry.objects.get(kind=lists.EXPORT_KIND).after["rows"] == 2
    with pytest.raises(TypeError):
        shown.export(iter([tree.a]), name="t", title="T")
