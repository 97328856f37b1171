"""Term results recomputed after a year's roll-up (standards.services.terms.compute_for_period)
and the business grade entered on a term (set_business_grade)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment.models import Rollup
from audit.models import AuditEntry, AuditKind
from standards.models import TermResult
from standards.services import terms as services
from tests.factories import FrameworkFactory, OrganizationFactory, PeriodFactory

from .terms_data import scored_years


@pytest.fixture
def years(tree):
    data = scored_years(tree)
    services.compute_for_period(data.periods[2026])
    return data


def term_of(organization) -> TermResult:
    return TermResult.objects.get(organization=organization)


def test_every_organization_of_the_term_kinds_gets_its_current_term(tree, years):
    assert TermResult.objects.count() == 7
    assert (term_of(tree.a1a).first_year, term_of(tree.a1a).last_year) == (2024, 2026)
    assert (term_of(tree.group).first_year, term_of(tree.group).last_year) == (2022, 2026)


def test_the_figures_come_from_the_stored_total_roll_ups(tree, years):
    scores = list(
        Rollup.objects.filter(organization=tree.a1a, dimension="")
        .order_by("period__start")
        .values_list("score", flat=True)
    )
    term = term_of(tree.a1a)
    assert [y["score"] for y in term.years] == scores
    assert term.average == pytest.approx(round(sum(scores) / 3, 2))
    assert term.a_grades == 2
    assert term.trend == pytest.approx(31.0)
    assert term.complete is True
    assert term.grade == "C"


def test_a_vetoed_year_is_not_an_a_and_lowers_the_term_grade(tree, years):
    term = term_of(tree.a1b)
    vetoed = next(y for y in term.years if y["year"] == 2025)
    assert vetoed["vetoed"] is True
    assert vetoed["grade"] == "C"  # the veto's cap, though the roll-up scored 100
    assert term.a_grades == 2
    assert term.average == pytest.approx(100.0)
    assert term.grade == "B"


def test_a_five_year_term_with_three_years_is_incomplete(tree, years):
    term = term_of(tree.group)
    assert [y["year"] for y in term.years] == [2024, 2025, 2026]
    assert term.complete is False


def test_growth_is_averaged_from_the_organizations_own_values(tree, years):
    term = term_of(tree.group)
    # (1.25 × 1.20 × 1.155)^(1/3) − 1 and (1.20 × 1.10 × 0.95)^(1/3) − 1
    assert term.revenue_growth == pytest.approx(20.10, abs=0.01)
    assert term.profit_growth == pytest.approx(7.84, abs=0.01)
    assert [y["business"] for y in term.years] == ["A", "A", "B"]
    assert term_of(tree.a1a).revenue_growth is None


def test_running_again_gives_the_same_rows_and_keeps_the_business_grade(tree, years, erin):
    term = term_of(tree.group)
    services.set_business_grade(term, grade="A", version=term.version, acting_user=erin)
    before = list(TermResult.objects.values_list("organization_id", "average", "grade", "years"))
    assert services.compute_for_period(years.periods[2026]) == 7
    after = list(TermResult.objects.values_list("organization_id", "average", "grade", "years"))
    assert after == before
    assert term_of(tree.group).business_grade == "A"


def test_an_earlier_year_recomputes_the_same_terms(tree, years):
    TermResult.objects.all().delete()
    assert services.compute_for_period(years.periods[2024]) == 7
    assert term_of(tree.a1a).years[-1]["year"] == 2026


def test_the_queries_do_not_grow_with_the_tree(tree, years, django_assert_max_num_queries):
    # periods, organizations, roll-ups, own scores, the upsert (+ savepoint)
    with django_assert_max_num_queries(8):
        services.compute_for_period(years.periods[2026])


def test_the_queries_are_the_same_for_a_bigger_tree(tree, years):
    with CaptureQueriesContext(connection) as small:
        services.compute_for_period(years.periods[2026])
    for n in range(20):
        OrganizationFactory(code=f"X{n}", name=f"X{n}", name_en=f"X{n}", parent=tree.b)
    with CaptureQueriesContext(connection) as big:
        written = services.compute_for_period(years.periods[2026])
    assert written == 7  # the 20 new branches have no year over yet: no term for them
    assert len(big) == len(small)


def test_a_period_that_is_not_a_year_changes_nothing(tree, years):
    quarter = PeriodFactory(
        framework=years.framework, kind="quarter", year=2026, name="2026Q1", name_en="2026 Q1"
    )
    assert services.compute_for_period(quarter) == 0


def test_a_framework_without_terms_changes_nothing(tree, period):
    assert services.compute_for_period(period) == 0
    assert not TermResult.objects.exists()


class TestBusinessGrade:
    def test_a_reviewer_above_enters_it_and_it_is_audited(self, tree, years, carol):
        term = term_of(tree.a1)
        saved = services.set_business_grade(term, grade="b", version=1, acting_user=carol)
        assert (saved.business_grade, saved.business_grade_by, saved.version) == ("B", carol, 2)
        entry = AuditEntry.objects.get(kind=AuditKind.TERM_SAVED)
        assert entry.target == f"termresult:{term.pk}"
        assert entry.after == {"business_grade": "B"}

    def test_the_organization_itself_may_not(self, tree, years, carol):
        with pytest.raises(services.NotAllowed):
            services.set_business_grade(term_of(tree.a), grade="A", version=1, acting_user=carol)

    def test_a_secretary_may_not(self, tree, years, alice):
        with pytest.raises(services.NotAllowed):
            services.set_business_grade(term_of(tree.a1a), grade="A", version=1, acting_user=alice)

    def test_a_group_administrator_may_enter_the_groups_own(self, tree, years, erin):
        saved = services.set_business_grade(
            term_of(tree.group), grade="A", version=1, acting_user=erin
        )
        assert saved.business_grade == "A"

    def test_a_grade_off_the_scale_is_refused(self, tree, years, erin):
        with pytest.raises(services.TermRefused):
            services.set_business_grade(term_of(tree.a), grade="E", version=1, acting_user=erin)
        assert term_of(tree.a).business_grade == ""
        assert not AuditEntry.objects.filter(kind=AuditKind.TERM_SAVED).exists()

    def test_a_stale_version_is_refused_and_changes_nothing(self, tree, years, erin):
        term = term_of(tree.a)
        services.set_business_grade(term, grade="A", version=1, acting_user=erin)
        with pytest.raises(services.StaleVersion) as refused:
            services.set_business_grade(term, grade="C", version=1, acting_user=erin)
        assert refused.value.current == 2
        assert term_of(tree.a).business_grade == "A"


def test_an_open_year_does_not_count_until_it_closes(
    tree, erin, django_capture_on_commit_callbacks
):
    from assessment.services.periods import close_period

    from .terms_data import GOOD, scored, terms_framework_doc

    framework = FrameworkFactory(document=terms_framework_doc())
    period = scored(framework, 2024, {tree.a1a: GOOD}, closed=False)
    services.compute_for_period(period)
    # Provisional (an open year's missing units count zero): no term until a year of it is over.
    assert not TermResult.objects.filter(organization=tree.a1a).exists()

    with django_capture_on_commit_callbacks(execute=True):  # the closing's receivers run
        close_period(period, acting_user=erin)

    term = TermResult.objects.get(organization=tree.a1a)
    assert [y["year"] for y in term.years] == [2024]
    assert term.average is not None
