"""The term pages: the list of terms (任期考核) and one term's page with the business grade form."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry, AuditKind
from standards.models import TermResult
from standards.services import terms as services
from tests.html import page

from .terms_data import scored_years

LIST = reverse("standards:terms")


@pytest.fixture
def years(tree):
    data = scored_years(tree)
    services.compute_for_period(data.periods[2026])
    return data


def term_of(organization) -> TermResult:
    return TermResult.objects.get(organization=organization)


def detail(term) -> str:
    return reverse("standards:term_detail", args=[term.pk])


class TestList:
    def test_the_scope_lists_each_organizations_current_term(self, tree, years, carol, client_for):
        shown = page(client_for(carol).get(LIST))
        assert sorted(
            shown.attr(f"[data-term='{term_of(o).pk}']", "data-organization")
            for o in (tree.a, tree.a1, tree.a1a, tree.a1b)
        ) == ["A", "A1", "A1a", "A1b"]
        assert shown.count("tr[data-term]") == 4
        row = shown.within(f"[data-term='{term_of(tree.a1b).pk}']")
        assert row.attr("[data-grade]", "data-grade") == "B"
        assert row.text("[data-a-grades]") == "2 / 3"
        assert not shown.has("[data-group-record]")

    def test_the_group_administrator_sees_the_group_record(self, tree, years, erin, client_for):
        shown = page(client_for(erin).get(LIST))
        assert shown.count("tr[data-term]") == 7
        assert shown.has("[data-group-record]")

    def test_filters_narrow_the_list(self, tree, years, erin, client_for):
        shown = page(client_for(erin).get(LIST, {"kind": "branch"}))
        assert shown.count("tr[data-term]") == 3
        shown = page(client_for(erin).get(LIST, {"org": tree.b.pk}))
        assert shown.count("tr[data-term]") == 2
        assert page(client_for(erin).get(LIST, {"term": "2027"})).count("tr[data-term]") == 0

    def test_garbled_filters_are_ignored(self, tree, years, erin, client_for):
        response = client_for(erin).get(LIST, {"kind": "nope", "term": "x", "org": "1e99"})
        assert response.status_code == 200
        assert page(response).count("tr[data-term]") == 7

    def test_no_role_shows_the_no_role_page(self, tree, years, frank, client_for):
        response = client_for(frank).get(LIST)
        assert response.status_code == 200
        assert not page(response).has("tr[data-term]")

    def test_the_list_reads_in_a_fixed_number_of_queries(
        self, tree, years, erin, client_for, django_assert_max_num_queries
    ):
        client = client_for(erin)
        client.get(LIST)
        with django_assert_max_num_queries(14):
            client.get(LIST)


class TestDetail:
    def test_the_years_and_figures(self, tree, years, alice, client_for):
        term = term_of(tree.a1a)
        shown = page(client_for(alice).get(detail(term)))
        assert [
            r.attr("[data-grade]", "data-grade")
            for r in [shown.within(f"tr[data-year='{y}']") for y in (2024, 2025, 2026)]
        ] == ["D", "A", "A"]
        assert shown.text("[data-figures] [data-average]") == "79.3"
        assert not shown.has("[data-business-form]")

    def test_a_missing_year_shows_as_not_scored(self, tree, years, erin, client_for):
        shown = page(client_for(erin).get(detail(term_of(tree.group))))
        assert shown.has("tr[data-year='2022']")
        assert shown.has("[data-group-record]")

    def test_a_term_outside_the_scope_is_404(self, tree, years, bob, client_for):
        assert client_for(bob).get(detail(term_of(tree.a1a))).status_code == 404
        assert client_for(bob).post(detail(term_of(tree.a1a)), {"grade": "A"}).status_code == 404

    def test_a_reviewer_above_enters_the_business_grade(self, tree, years, carol, client_for):
        term = term_of(tree.a1)
        client = client_for(carol)
        assert page(client.get(detail(term))).has("[data-business-form]")
        response = client.post(detail(term), {"grade": "A", "version": term.version})
        assert response.status_code == 302
        assert term_of(tree.a1).business_grade == "A"
        assert AuditEntry.objects.filter(kind=AuditKind.TERM_SAVED).count() == 1

    def test_bad_input_is_refused_and_changes_nothing(self, tree, years, carol, client_for):
        term = term_of(tree.a1)
        response = client_for(carol).post(detail(term), {"grade": "Z", "version": term.version})
        assert response.status_code == 400
        assert term_of(tree.a1).business_grade == ""

    def test_a_stale_form_is_a_409(self, tree, years, carol, client_for):
        term = term_of(tree.a1)
        client = client_for(carol)
        client.post(detail(term), {"grade": "A", "version": term.version})
        response = client.post(detail(term), {"grade": "B", "version": term.version})
        assert response.status_code == 409
        assert page(response).has("[data-alert]")
        assert term_of(tree.a1).business_grade == "A"

    def test_the_page_reads_in_a_fixed_number_of_queries(
        self, tree, years, erin, client_for, django_assert_max_num_queries
    ):
        client = client_for(erin)
        client.get(detail(term_of(tree.group)))
        # session, user, grants, the term, breadcrumbs, the group's record
        with django_assert_max_num_queries(8):
            client.get(detail(term_of(tree.group)))

    def test_the_organization_itself_may_not_grade_its_term(self, tree, years, carol, client_for):
        term = term_of(tree.a)
        client = client_for(carol)
        assert not page(client.get(detail(term))).has("[data-business-form]")
        response = client.post(detail(term), {"grade": "A", "version": term.version})
        assert response.status_code == 403
        assert term_of(tree.a).business_grade == ""
