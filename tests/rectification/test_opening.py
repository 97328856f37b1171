"""Items open automatically from stored scores: below the threshold, a veto, a deduction."""

import datetime

import pytest
from django.core.management import call_command

from assessment.choices import PeriodStatus
from assessment.models import Period
from rectification import services
from rectification.models import Rectification
from tests.builders import recompute
from tests.factories import PeriodFactory

from .conftest import DEDUCTED, GOOD, VETOED, WEAK, set_values

pytestmark = pytest.mark.django_db


def items():
    return {
        (r.organization.code, r.indicator_code): r
        for r in Rectification.objects.select_related("organization")
    }


def test_a_full_recompute_opens_an_item_per_weak_indicator(period, tree, alice):
    set_values(period, tree.a1a, WEAK)
    set_values(period, tree.a1b, GOOD)
    recompute(period)
    found = items()
    assert set(found) == {("A1a", "C1.01")}
    item = found["A1a", "C1.01"]
    assert item.source == Rectification.Source.THRESHOLD
    assert item.fraction_at_opening == pytest.approx(0.25)
    assert item.threshold == pytest.approx(0.6)
    assert (item.points_at_opening, item.max_points) == (10, 40)
    assert item.state == Rectification.State.OPEN
    assert item.owner == alice  # the unit's secretary
    assert item.due_date == datetime.date.today() + datetime.timedelta(days=60)
    assert item.submission.organization == tree.a1a


def test_a_veto_and_a_deduction_open_items(period, tree):
    set_values(period, tree.a1a, VETOED)
    set_values(period, tree.a1b, DEDUCTED)
    recompute(period)
    found = items()
    assert set(found) == {("A1a", "G1.02"), ("A1b", "G1.01")}
    assert found["A1a", "G1.02"].source == Rectification.Source.VETO
    assert found["A1a", "G1.02"].threshold is None
    deduction = found["A1b", "G1.01"]
    assert deduction.source == Rectification.Source.DEDUCTION
    assert deduction.fraction_at_opening == pytest.approx(0.5)  # above its 0.4 threshold
    assert deduction.threshold == pytest.approx(0.4)  # the indicator's own threshold
    assert deduction.owner is None  # bob is not a user in this test: no secretary


def test_opening_is_idempotent(period, tree):
    set_values(period, tree.a1a, WEAK)
    recompute(period)
    recompute(period)
    assert services.open_for_scores(period.pk) == 0
    assert Rectification.objects.count() == 1


def test_an_item_stays_when_a_rescore_no_longer_calls_for_it(period, tree):
    set_values(period, tree.a1a, WEAK)
    recompute(period)
    set_values(period, tree.a1a, GOOD)
    recompute(period)
    item = Rectification.objects.get()
    assert item.state == Rectification.State.OPEN
    assert item.fraction_at_opening == pytest.approx(0.25)  # what it was at opening


def test_a_single_approval_opens_items_for_that_submission_only(
    period, tree, alice, carol, django_capture_on_commit_callbacks
):
    from assessment.services import submissions

    from .conftest import pdf

    set_values(period, tree.a1b, WEAK)
    recompute(period)  # rolled up once: later approvals are scored one by one
    assert set(items()) == {("A1b", "C1.01")}
    Rectification.objects.all().delete()  # so that a full re-run would show up

    submission = period.submissions.get(organization=tree.a1a)
    values = {"C1.01": "2", "C2.01": "yes", "G1.01": "0", "G1.02": "no"}
    submissions.save_values(submission, values, version=submission.version, acting_user=alice)
    from assessment.services import evidence

    evidence.add_evidence(submission, "C2.01", pdf(), acting_user=alice)
    submissions.submit(submission, acting_user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        submissions.approve(submission, acting_user=carol)
    assert set(items()) == {("A1a", "C1.01")}  # A1b was not re-read


def test_a_weak_indicator_opens_one_item_for_its_organization(period, tree):
    set_values(period, tree.a1a, WEAK)
    recompute(period)
    assert Rectification.objects.filter(organization=tree.a1a).count() == 1


def test_locked_and_older_closed_periods_open_nothing(framework, tree):
    older = PeriodFactory(framework=framework, year=2024)
    latest = PeriodFactory(framework=framework, year=2025)
    current = PeriodFactory(framework=framework, year=2026)
    for p in (older, latest, current):
        set_values(p, tree.a1a, WEAK)
    Period.objects.filter(pk__in=[older.pk, latest.pk]).update(status=PeriodStatus.CLOSED)
    for p in (older, latest, current):
        call_command("rollup", "--period", str(p.pk), verbosity=0)
    opened = set(Rectification.objects.values_list("period__name_en", flat=True))
    assert opened == {"Year 2025", "Year 2026"}  # the latest closed period and the open one
    Period.objects.filter(pk=latest.pk).update(status=PeriodStatus.LOCKED)
    latest.refresh_from_db()
    assert not services.eligible(latest)


def test_a_failure_does_not_fail_the_scoring(period, tree, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "open_for_scores", broken)
    set_values(period, tree.a1a, WEAK)
    run = recompute(period)
    assert run.status == "done"
    assert not Rectification.objects.exists()


def test_a_full_recompute_opens_items_in_a_task_of_their_own(period, tree, monkeypatch):
    """Thousands of units' items must not hold up the recompute: they are a separate task."""
    from rectification import tasks

    sent = []
    monkeypatch.setattr(
        tasks.open_for_period, "apply_async", lambda args, **options: sent.append(args)
    )
    set_values(period, tree.a1a, WEAK)
    run = recompute(period)
    assert run.status == "done"
    assert sent == [[period.pk]]
    assert not Rectification.objects.exists()  # nothing opened inside the recompute
    assert tasks.open_for_period(period.pk) == 1  # what the task does when it runs
    assert set(items()) == {("A1a", "C1.01")}


def test_an_unreachable_task_queue_does_not_fail_the_scoring(period, tree, monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    from rectification import tasks

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.open_for_period, "apply_async", down)
    set_values(period, tree.a1a, WEAK)
    assert recompute(period).status == "done"
    assert "Opening rectification items for period" in caplog.text
    assert not Rectification.objects.exists()  # the nightly recompute sends it again


def test_findings_is_pure():
    rows = [
        {
            "organization_id": 1,
            "submission_id": 2,
            "indicators": {
                "A": [10, 40, 0.25, "scored", True, False],
                "B": [40, 40, 1.0, "scored", False, False],
                "V": [0, 0, None, "scored", True, True],
                "D": [9, 10, 0.9, "scored", False, False],
                "N": [0, 0, None, "n/a", True, False],
            },
        }
    ]
    kinds = {"A": "linear", "B": "linear", "V": "veto", "D": "deduction"}
    rubrics = {code: (kind, 0.6) for code, kind in kinds.items()}
    found = {f.code: f.source for f in services.findings(rows, rubrics)}
    assert found == {"A": "threshold", "V": "veto", "D": "deduction"}


def test_an_opening_for_no_submissions_opens_nothing(period, tree):
    set_values(period, tree.a1a, WEAK)
    recompute(period)
    Rectification.objects.all().delete()

    assert services.open_for_scores(period.pk, []) == 0
    assert not Rectification.objects.exists()
