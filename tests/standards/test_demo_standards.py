"""The demo's results (partybuild/demo/standards.py), read from one shared seed_demo load
(`--scale 0.1`: the whole tree, fewer people), loaded once for the module and rolled back at
its end (tests/shared_rows.py) — on a database whose keys are far along, as earlier tests leave
them: the demo's stories must not depend on its primary keys."""

import pytest
from django.core.management import call_command

from assessment.models import Period, SubjectScore
from organizations.models import Organization
from partybuild.demo import standards as demo
from standards.choices import AppraisalState, Decision, ReportState
from standards.models import (
    FollowUp,
    MemberAppraisal,
    MemberGrade,
    SecretaryReport,
    StarRating,
    TermResult,
    Title,
)
from tests.shared_rows import building, ids_moved_on, shared_rows


@pytest.fixture(scope="module")
def _demo_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    with shared_rows(django_db_blocker):
        with building(django_db_blocker, tmp_path_factory.mktemp("media")):
            ids_moved_on(777)
            call_command("seed_demo", "--scale", "0.1", verbosity=0)
        yield


@pytest.fixture
def years(_demo_rows, db) -> dict[int, Period]:
    return {p.start.year: p for p in Period.objects.filter(kind="year")}


def test_closed_years_are_decided_and_the_open_one_is_left_to_decide(years):
    for year in (2023, 2024, 2025):
        titles = Title.objects.filter(period=years[year])
        assert not titles.filter(state=Decision.PROPOSED).exists()
        assert titles.filter(state=Decision.CONFIRMED).exists()
        assert not StarRating.objects.filter(period=years[year], state=Decision.PROPOSED).exists()
        assert not MemberAppraisal.objects.filter(
            period=years[year], state=AppraisalState.OPEN
        ).exists()
    assert Title.objects.filter(period=years[2025], state=Decision.WITHHELD).exists()  # quotas
    assert StarRating.objects.filter(period=years[2026], state=Decision.PROPOSED).exists()
    reports = SecretaryReport.objects.filter(period=years[2026])
    assert reports.filter(state=ReportState.SUBMITTED).exists()
    assert reports.filter(state=ReportState.RATED).exists()


def test_some_units_meet_the_standard_and_some_do_not(years):
    branches = SubjectScore.objects.filter(period=years[2025], subject_kind="branch")
    titled = Title.objects.filter(period=years[2025], subject_kind="branch").count()
    assert 0 < titled < branches.count()


def test_a_branch_loses_stars_after_a_veto(years):
    branch = Organization.objects.get(code=demo.VETOED_BRANCH)
    before = StarRating.objects.get(period=years[2024], organization=branch)
    after = StarRating.objects.get(period=years[2025], organization=branch)
    assert after.vetoed
    assert after.stars < before.stars
    assert after.stars <= before.stars - 2  # a veto is not held to one star a year


def test_a_member_appraised_basically_qualified_has_follow_up(years):
    branch = Organization.objects.get(code=demo.WEAK_MEMBER_BRANCH)
    grade = MemberGrade.objects.get(
        appraisal__period=years[2025], appraisal__organization=branch, grade="basic"
    )
    steps = {f.step: f for f in FollowUp.objects.filter(grade=grade)}
    assert set(steps) == {"talk", "correct"}
    assert steps["talk"].done_on is not None
    assert steps["correct"].due > steps["talk"].done_on


def test_the_group_has_three_years_of_its_term_with_the_regulators_grade(years):
    group = Organization.objects.get(parent__isnull=True, code__startswith="CETC")
    term = TermResult.objects.get(organization=group, first_year__lte=2025, last_year__gte=2025)
    scored = [year for year in term.years if year.get("score") is not None]
    assert len(scored) >= 3
    assert term.business_grade == "A"


@pytest.mark.usefixtures("_demo_rows")
def test_loading_again_changes_nothing(db):
    counts = (Title.objects.count(), StarRating.objects.count(), FollowUp.objects.count())
    demo.load_demo_standards()
    assert (Title.objects.count(), StarRating.objects.count(), FollowUp.objects.count()) == counts
