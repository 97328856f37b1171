"""The group's record read from its terms (standards.selectors.terms.group_record): years in a
row with an A across terms, term A grades, average annual growth against the target."""

import pytest
from django.utils import timezone

from standards.models import TermResult
from standards.selectors import terms as selectors


def year(y: int, grade: str = "A", business: str = "A", revenue: float = 22.0) -> dict:
    return {
        "year": y,
        "score": 95.0 if grade == "A" else 85.0,
        "grade": grade,
        "vetoed": False,
        "revenue_growth": revenue,
        "profit_growth": 21.0,
        "business": business,
    }


def term(organization, first: int, last: int, years: list[dict], **fields) -> TermResult:
    return TermResult.objects.create(
        organization=organization,
        first_year=first,
        last_year=last,
        years=years,
        computed_at=timezone.now(),
        details={"top_grade": "A", "growth_target": 20},
        **fields,
    )


@pytest.fixture
def terms(tree):
    """The seed's story in small: 2016–2026 graded A every year, two complete terms graded A
    with the regulator's A, the current one running."""
    term(
        tree.group,
        2012,
        2016,
        [year(2012, "B"), *(year(y) for y in range(2013, 2017))],
        grade="B",
        complete=True,
        business_grade="B",
    )
    term(
        tree.group,
        2017,
        2021,
        [year(y) for y in range(2017, 2022)],
        grade="A",
        complete=True,
        business_grade="A",
    )
    term(
        tree.group,
        2022,
        2026,
        [year(y, revenue=18.0) for y in range(2022, 2027)],
        grade="A",
        complete=True,
        business_grade="A",
    )
    term(tree.group, 2027, 2031, [year(2027, business="")], grade="A", complete=False)
    return tree


def test_years_in_a_row_run_across_terms(terms):
    record = selectors.group_record(terms.group)
    assert (record.streak.length, record.streak.first_year) == (15, 2013)
    assert record.longest == record.streak
    # The regulator's grade of 2027 is not in yet: the business run counts to its latest grade.
    assert (record.business_streak.length, record.business_streak.last_year) == (15, 2026)


def test_term_a_grades_count_complete_terms(terms):
    record = selectors.group_record(terms.group)
    assert record.term_a_grades == 2
    assert record.business_term_a_grades == 2
    assert len(record.terms) == 4


def test_growth_is_averaged_over_every_year_against_the_target(terms):
    record = selectors.group_record(terms.group)
    assert 20 < record.revenue_growth < 22
    assert record.revenue_meets is True
    assert record.profit_growth == pytest.approx(21.0)
    assert record.growth_target == 20


def test_only_a_root_has_a_record(terms):
    term(terms.a, 2022, 2026, [year(2022)])
    assert selectors.group_record(terms.a) is None


def test_a_root_without_terms_has_none(tree):
    assert selectors.group_record(tree.group) is None


def test_the_record_is_read_in_one_query(terms, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.group_record(terms.group)
