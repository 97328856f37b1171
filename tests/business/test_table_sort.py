"""The year's table of business figures sorted by its columns: the tree's order by default, the
organization either way, each measure by its value (rows without the figure last either way,
grades A first); paged by the size asked; the exports hold every row in the order shown, within
the caller's scope, and are written to the audit trail."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEntry
from business.services.figures import save_figures
from core.lists import EXPORT_KIND
from organizations.services import assign_role
from tests.factories import OrganizationFactory, UserFactory
from tests.html import page

pytestmark = pytest.mark.django_db

TABLE = reverse("business:table")


@pytest.fixture
def figures(tree, erin):
    """2024: A 50 (grade B), A1 100 (grade A), A1a 40, A1b 9.5 (grade A), B1 999."""
    save_figures(tree.a, 2024, {"revenue": "50", "sasac_grade": "B"}, acting_user=erin)
    save_figures(tree.a1, 2024, {"revenue": "100", "sasac_grade": "A"}, acting_user=erin)
    save_figures(tree.a1a, 2024, {"revenue": "40"}, acting_user=erin)
    save_figures(tree.a1b, 2024, {"revenue": "9.5", "sasac_grade": "A"}, acting_user=erin)
    save_figures(tree.b1, 2024, {"revenue": "999"}, acting_user=erin)


def codes(client, **query) -> list[str]:
    shown = page(client.get(TABLE, {"year": 2024, **query}))
    return [row["data-organization"] for row in shown.select("#figures tbody tr")]


def exported(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_tree_order_stays_the_default(client_for, carol, figures, tree):
    client = client_for(carol)
    by_tree = [o.code for o in sorted([tree.a, tree.a1, tree.a1a, tree.a1b], key=lambda o: o.path)]
    assert codes(client) == by_tree
    assert codes(client, sort="-organization") == list(reversed(by_tree))
    assert codes(client, sort="organization__name") == by_tree  # not a column: the default


def test_a_measure_sorts_by_its_value_not_its_text(client_for, carol, figures):
    client = client_for(carol)
    # As text "9.5" would come after "50" and "100".
    assert codes(client, sort="m-revenue") == ["A1b", "A1a", "A", "A1"]
    assert codes(client, sort="-m-revenue") == ["A1", "A", "A1a", "A1b"]


def test_rows_without_the_figure_come_last_either_way(client_for, carol, figures, tree):
    client = client_for(carol)
    graded_a = [o.code for o in sorted([tree.a1, tree.a1b], key=lambda o: o.path)]
    assert codes(client, sort="m-sasac_grade") == [*graded_a, "A", "A1a"]
    assert codes(client, sort="-m-sasac_grade") == ["A", *graded_a, "A1a"]


def test_the_sorted_heading_says_so_and_turns_round(client_for, carol, figures):
    shown = page(client_for(carol).get(TABLE, {"year": 2024, "sort": "m-revenue"}))
    heading = shown.within("th[data-measure='revenue']")
    assert shown.attr("th[data-measure='revenue']", "aria-sort") == "ascending"
    assert "sort=-m-revenue" in heading.attr("[data-sort-link]", "href")
    assert "year=2024" in heading.attr("[data-sort-link]", "href")


def test_the_table_is_paged_by_the_size_asked(client_for, erin, figures, tree):
    for n in range(30):
        branch = OrganizationFactory(parent=tree.b)
        save_figures(branch, 2024, {"revenue": str(n)}, acting_user=erin)
    client = client_for(erin)
    assert len(codes(client)) == 35  # 50 a page by default
    first = codes(client, per_page=25, sort="-m-revenue")
    assert len(first) == 25
    assert first[:2] == ["B1", "A1"]
    second = page(
        client.get(TABLE, {"year": 2024, "per_page": 25, "sort": "-m-revenue", "page": 2})
    )
    assert len(second.select("#figures tbody tr")) == 10
    assert "per_page=25" in second.attr(".pagination a", "href")


def test_the_export_holds_every_row_in_the_order_shown_and_is_audited(
    client_for, carol, figures, tree
):
    client = client_for(carol)
    rows = exported(client.get(TABLE, {"year": 2024, "sort": "-m-revenue", "export": "csv"}))
    names = {o.display_name: o.code for o in (tree.a, tree.a1, tree.a1a, tree.a1b)}
    assert [names[row[0]] for row in rows[1:]] == codes(client, sort="-m-revenue")
    assert rows[1][1] == "100"
    entry = AuditEntry.objects.filter(kind=EXPORT_KIND).get()
    assert entry.target == TABLE
    assert entry.after == {
        "filters": {"year": "2024", "sort": "-m-revenue"},
        "rows": 4,
        "format": "csv",
    }


def test_a_sibling_committees_finance_never_gets_the_others_rows(client_for, figures, tree):
    bea = UserFactory(username="bea")
    assign_role(user=bea, organization=tree.b, role="reviewer")
    response = client_for(bea).get(
        TABLE, {"year": 2024, "sort": "m-revenue", "per_page": 25, "export": "xlsx"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert [row[0] for row in rows[1:]] == [tree.b1.display_name]


def test_sorting_costs_no_query(client_for, erin, figures, tree, django_assert_max_num_queries):
    client = client_for(erin)
    client.get(TABLE)
    with django_assert_max_num_queries(9):
        assert client.get(TABLE, {"year": 2024, "sort": "-m-sasac_grade"}).status_code == 200
