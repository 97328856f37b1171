"""The titles, honours and terms lists: sorting by column, page size, and exports that hold what
the list holds, in its order, within the user's scope (never a sibling committee's rows), each
export in the audit trail."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry
from core.lists import EXPORT_KIND
from organizations.services import assign_role
from standards.models import TermResult
from standards.services import titles as services
from tests.factories import OrganizationFactory, UserFactory
from tests.html import page

from .titles_data import scored, title_of

__all__ = ["scored"]  # the fixture, used by the tests below

pytestmark = pytest.mark.django_db

TITLES = reverse("standards:titles")
HONOURS = reverse("standards:honours")
TERMS = reverse("standards:terms")


def exported(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def workbook_rows(response) -> list[list]:
    assert response.status_code == 200, response.content
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


@pytest.fixture
def bert(tree):
    """A reviewer of committee B, A's sibling."""
    user = UserFactory(username="bert")
    assign_role(user=user, organization=tree.b, role="reviewer")
    return user


# -- the titles a reviewer decides ---------------------------------------------------------------


def test_the_titles_sort_by_subject_both_ways(client_for, scored, carol):
    client = client_for(carol)

    def subjects(sort: str) -> list[str]:
        response = client.get(TITLES, {"period": scored.pk, "sort": sort})
        return page(response).texts("[data-title] [data-subject]")

    assert subjects("subject") == sorted(subjects("subject"))
    assert subjects("-subject") == list(reversed(subjects("subject")))
    assert len(subjects("subject")) == 3


def test_the_titles_page_offers_the_sizes_and_the_exports(client_for, scored, carol):
    html = page(client_for(carol).get(TITLES, {"period": scored.pk, "per_page": "25"}))
    assert html.attr("[data-per-page='25']", "aria-current") == "true"
    assert "export=csv" in html.attr("[data-export='csv']", "href")
    assert html.has("th[aria-sort='ascending'] [data-sort-link]")  # by standard, the default


def test_the_titles_export_holds_the_reviewers_titles_in_the_lists_order(
    client_for, scored, tree, carol
):
    client = client_for(carol)
    query = {"period": scored.pk, "sort": "-subject"}
    rows = exported(client.get(TITLES, {**query, "export": "csv"}))
    assert rows[0] == ["评价对象", "组织", "标准", "得分", "状态"]
    shown = page(client.get(TITLES, query)).texts("[data-title] [data-subject]")
    assert [row[0] for row in rows[1:]] == shown
    assert "集团党组 / 甲公司党委 / 甲一党总支 / 甲一第一支部" in [row[1] for row in rows[1:]]
    assert not any(tree.b1.display_name in row[1] for row in rows[1:])
    entry = AuditEntry.objects.filter(kind=EXPORT_KIND).get()
    assert entry.target == TITLES
    assert entry.after["rows"] == 3
    assert entry.after["filters"] == {"period": str(scored.pk), "sort": "-subject"}


def test_a_sibling_committees_reviewer_exports_only_their_own_titles(
    client_for, scored, tree, bert
):
    rows = workbook_rows(client_for(bert).get(TITLES, {"period": scored.pk, "export": "xlsx"}))
    assert [row[0] for row in rows[1:]] == [tree.b1.display_name]
    assert not any("甲" in str(cell) for row in rows for cell in row)


# -- the honours ---------------------------------------------------------------------------------


@pytest.fixture
def confirmed(scored, tree, carol, erin):
    """A1a, A1 and A1a's member confirmed by carol; B1 by the administrator."""
    for organization, unit in ((tree.a1a, "organization"), (tree.a1a, "person")):
        title = title_of(scored, organization, unit)
        services.decide(title, confirm=True, reason="", version=1, acting_user=carol)
    services.decide(title_of(scored, tree.b1), confirm=True, reason="", version=1, acting_user=erin)
    return scored


def test_the_honours_sort_within_each_standard(client_for, confirmed, tree, erin):
    client = client_for(erin)

    def subjects(sort: str) -> list[str]:
        response = client.get(HONOURS, {"period": confirmed.pk, "sort": sort})
        return page(response).texts("[data-standard='party_organization'] [data-title] a")

    assert subjects("subject") == sorted([tree.a1a.display_name, tree.b1.display_name])
    assert subjects("-subject") == list(reversed(subjects("subject")))
    by_path = [o.display_name for o in sorted([tree.a1a, tree.b1], key=lambda o: o.path)]
    assert subjects("organization") == by_path
    assert subjects("-organization") == list(reversed(by_path))


def test_the_honours_export_is_grouped_by_standard_and_scoped(client_for, confirmed, tree, alice):
    rows = exported(client_for(alice).get(HONOURS, {"period": confirmed.pk, "export": "csv"}))
    # By standard first (party_member before party_organization), each named as on the page.
    assert [row[1] for row in rows[1:]] == ["A1a成员", tree.a1a.display_name]
    shown = page(client_for(alice).get(HONOURS, {"period": confirmed.pk}))
    assert [row[0] for row in rows[1:]] == shown.texts("section[data-standard] h2")
    assert not any(tree.b1.display_name in cell for row in rows for cell in row)
    assert AuditEntry.objects.filter(kind=EXPORT_KIND, target=HONOURS).count() == 1


def test_the_honours_export_follows_the_sort(client_for, confirmed, tree, erin):
    rows = exported(
        client_for(erin).get(
            HONOURS, {"period": confirmed.pk, "sort": "-organization", "export": "csv"}
        )
    )
    organizations = [row[1] for row in rows[1:] if row[1] != "A1a成员"]
    by_path = [o.display_name for o in sorted([tree.a1a, tree.b1], key=lambda o: o.path)]
    assert organizations == list(reversed(by_path))


# -- the terms -----------------------------------------------------------------------------------


def term(organization, average: float, grade: str, first_year: int = 2024) -> TermResult:
    return TermResult.objects.create(
        organization=organization,
        first_year=first_year,
        last_year=first_year + 2,
        average=average,
        grade=grade,
        computed_at=timezone.now(),
    )


@pytest.fixture
def terms(tree):
    """A1a 80 (B), A1b 92 (A), B1 70 (C)."""
    return {
        "a1a": term(tree.a1a, 80, "B"),
        "a1b": term(tree.a1b, 92, "A"),
        "b1": term(tree.b1, 70, "C"),
    }


def listed(response) -> list[str]:
    return page(response).texts("tr[data-term] > td:first-child > a")


def test_the_terms_sort_by_average_both_ways(client_for, terms, tree, carol):
    client = client_for(carol)
    assert listed(client.get(TERMS, {"sort": "average"})) == [
        tree.a1a.display_name,
        tree.a1b.display_name,
    ]
    assert listed(client.get(TERMS, {"sort": "-average"})) == [
        tree.a1b.display_name,
        tree.a1a.display_name,
    ]
    assert listed(client.get(TERMS, {"sort": "organization__name"})) == [
        tree.a1a.display_name,
        tree.a1b.display_name,
    ]


def test_the_terms_export_holds_the_committees_terms_in_order(client_for, terms, tree, carol):
    rows = exported(client_for(carol).get(TERMS, {"sort": "grade", "export": "csv"}))
    assert [row[0] for row in rows[1:]] == [tree.a1b.display_name, tree.a1a.display_name]
    assert rows[1][1:3] == ["2024–2026", "92.0"]
    entry = AuditEntry.objects.filter(kind=EXPORT_KIND).get()
    assert (entry.target, entry.after["rows"], entry.after["format"]) == (TERMS, 2, "csv")


def test_a_sibling_committees_terms_never_reach_the_file(client_for, terms, tree, bert):
    rows = workbook_rows(client_for(bert).get(TERMS, {"export": "xlsx"}))
    assert [row[0] for row in rows[1:]] == [tree.b1.display_name]


def test_the_terms_page_by_the_size_asked(client_for, terms, tree, carol):
    for n in range(30):
        term(OrganizationFactory(parent=tree.a1), 50 + n, "C")
    client = client_for(carol)
    shown = page(client.get(TERMS, {"per_page": "25", "sort": "-average"}))
    assert shown.count("tr[data-term]") == 25
    assert shown.texts("tr[data-term] > td:first-child > a")[0] == tree.a1b.display_name
    assert page(client.get(TERMS)).count("tr[data-term]") == 32  # 50 a page by default
    second = page(client.get(TERMS, {"per_page": "25", "sort": "-average", "page": "2"}))
    assert second.count("tr[data-term]") == 7
    assert "per_page=25" in second.attr(".pagination a", "href")


def test_the_terms_list_takes_the_same_queries_sorted(
    client_for, terms, carol, django_assert_max_num_queries
):
    client = client_for(carol)
    client.get(TERMS)
    with django_assert_max_num_queries(14):
        assert client.get(TERMS, {"sort": "-trend", "per_page": "100"}).status_code == 200
