"""Dashboards warm after every roll-up (dashboards/warming.py): the first reader after a
recompute or an approval finds the aggregates in the cache, the warm-up keeps to the readers'
scopes, and approvals in a row queue one warm-up.

Scores of 2026 (tests/dashboards/conftest.py): branches A1a 80, A1b 40, A1c 70, B1 90. Tasks run
eagerly in the tests, so a warm-up runs when the roll-up's commit callbacks do.
"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import SubjectScore, Submission
from assessment.signals import scores_written
from core import versions
from dashboards import tasks, warming
from dashboards.selectors import board, subtree
from organizations.models import Organization
from tests.builders import recompute
from tests.html import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def warming_on(settings):
    settings.DASHBOARDS_WARM = True


@pytest.fixture
def sent(monkeypatch) -> list[tuple[list[int], int | None]]:
    """The warm-ups queued (args, countdown), none of them run."""
    queued: list[tuple[list[int], int | None]] = []

    def apply_async(args, countdown=None, **options):
        queued.append((args, countdown))

    monkeypatch.setattr(tasks.warm_dashboards, "apply_async", apply_async)
    return queued


def url(org) -> str:
    return reverse("dashboards:organization", args=[org.pk])


def queries(client, org) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url(org)).status_code == 200
    return len(captured)


def weak_averages(response) -> dict[str, float]:
    data = json.loads(page(response).one('script#dash-data[type="application/json"]').string)
    return {item["name"]: item["average"] for item in data["weak"]}


def written(period_id: int, submission_ids: list[int] | None = None) -> None:
    """What the scoring sends after it committed (tests/assessment covers when it does)."""
    scores_written.send(sender=SubjectScore, period_id=period_id, submission_ids=submission_ids)


# -- the first reader after a roll-up --------------------------------------------------------


def test_after_a_recompute_the_first_dashboard_read_is_served_from_the_cache(
    warming_on, client_for, erin, tree, scored, django_capture_on_commit_callbacks
):
    client = client_for(erin)
    queries(client, tree.group)  # what any process keeps once (sessions, the framework)
    cached = queries(client, tree.group)
    with django_capture_on_commit_callbacks(execute=True):
        recompute(scored.current)
    assert queries(client, tree.group) == cached
    assert queries(client, tree.group) == cached


def test_without_the_warm_up_the_first_read_after_a_recompute_computes_them(
    settings, client_for, erin, tree, scored, django_capture_on_commit_callbacks
):
    settings.DASHBOARDS_WARM = False
    client = client_for(erin)
    queries(client, tree.group)
    cached = queries(client, tree.group)
    with django_capture_on_commit_callbacks(execute=True):
        recompute(scored.current)
    # The level totals (peers), the grade counts and the indicator averages.
    assert queries(client, tree.group) == cached + 3
    assert queries(client, tree.group) == cached


def test_an_approval_bumps_the_version_and_warms_the_new_scores(
    warming_on, client_for, erin, tree, scored, django_capture_on_commit_callbacks
):
    from assessment.services import submissions

    client = client_for(erin)
    before = weak_averages(client.get(url(tree.group)))
    cached = queries(client, tree.group)
    version = versions.current(board.scores_version(scored.current.pk))
    submission = Submission.objects.get(period=scored.current, organization=tree.a1b)
    with django_capture_on_commit_callbacks(execute=True):  # the rescore runs after commit
        submission = submissions.reopen(submission, reason="recount", acting_user=erin)
        submissions.save_values(
            submission, {"C1.01": "0"}, version=submission.version, acting_user=erin
        )
        submissions.approve(submissions.submit(submission, acting_user=erin), acting_user=erin)
    assert versions.current(board.scores_version(scored.current.pk)) != version
    with CaptureQueriesContext(connection) as captured:
        after = weak_averages(client.get(url(tree.group)))
    assert len(captured) == cached
    assert after["C1.01 理论学习次数"] < before["C1.01 理论学习次数"]
    assert board.aggregates(scored.current, tree.group) == board.compute_aggregates(
        scored.current, tree.group
    )


def test_every_level_is_warmed_so_a_branch_computes_no_peers(
    warming_on, client_for, alice, tree, scored, django_capture_on_commit_callbacks
):
    """Branches are not warmed (their subtree takes milliseconds), but their peers come from the
    totals of their level, warmed for the whole tree at once."""
    client = client_for(alice)
    queries(client, tree.a1a)
    cached = queries(client, tree.a1a)
    with django_capture_on_commit_callbacks(execute=True):
        recompute(scored.current)
    assert queries(client, tree.a1a) == cached + 2  # its own grade counts and indicators


def test_a_rectification_change_is_warmed_for_the_next_reader(
    warming_on, client_for, erin, tree, scored, django_capture_on_commit_callbacks
):
    from rectification import services
    from rectification.models import Rectification

    item = Rectification.objects.filter(organization__path__startswith=tree.a.path).first()
    assert item is not None, "the scores opened no rectification item in A's subtree"
    client = client_for(erin)
    before = client.get(url(tree.group)).context["rectifications"]
    cached = queries(client, tree.group)
    Rectification.objects.filter(pk=item.pk).update(state=Rectification.State.CLOSURE_REQUESTED)
    item.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(item, acting_user=erin, version=item.version)
    with CaptureQueriesContext(connection) as captured:
        after = client.get(url(tree.group)).context["rectifications"]
    assert len(captured) == cached
    assert (after.open, after.closed) == (before.open - 1, before.closed + 1)


# -- scope -----------------------------------------------------------------------------------


def test_the_cached_counts_are_those_of_every_reader_who_may_open_the_organization(
    tree, alice, bob, carol, dave, erin, scored
):
    """The aggregates are cached per organization, not per reader: for every reader and every
    organization of their scope, their scoped rows are the whole subtree's."""
    for user in (alice, bob, carol, dave, erin):
        for organization in Organization.objects.restrict(user):
            scoped = subtree.subtree_scores(user, scored.current, organization)
            whole = SubjectScore.objects.within(organization).filter(period=scored.current)
            assert set(scoped.values_list("pk", flat=True)) == set(
                whole.values_list("pk", flat=True)
            ), (user.username, organization.code)


def test_a_warmed_dashboard_is_still_only_for_its_scope(
    warming_on,
    monkeypatch,
    client_for,
    alice,
    bob,
    carol,
    tree,
    scored,
    django_capture_on_commit_callbacks,
):
    monkeypatch.setattr(warming, "WARM_MIN_SUBTREE", 1)  # every dashboard warmed
    with django_capture_on_commit_callbacks(execute=True):
        recompute(scored.current)
    assert client_for(alice).get(url(tree.a1b)).status_code == 404
    assert client_for(alice).get(url(tree.group)).status_code == 404
    assert client_for(bob).get(url(tree.a1a)).status_code == 404
    assert client_for(carol).get(url(tree.b)).status_code == 404
    own = client_for(alice).get(url(tree.a1a)).context["board"].grades
    assert (
        own.total
        == SubjectScore.objects.filter(organization=tree.a1a).filter(period=scored.current).count()
    )
    committee = client_for(carol).get(url(tree.a)).context["board"].grades
    assert committee.total == 3  # A1a, A1b, A1c: nothing of B1


# -- which dashboards ------------------------------------------------------------------------


def test_the_warm_up_takes_the_roots_and_the_large_subtrees(monkeypatch, tree, scored):
    monkeypatch.setattr(warming, "WARM_MIN_SUBTREE", 4)  # G: 8, A: 5, A1: 4, B: 2
    assert [o.code for o in warming.warmed_organizations(scored.current)] == ["G", "A", "A1"]
    monkeypatch.setattr(warming, "MAX_WARMED", 2)
    assert [o.code for o in warming.warmed_organizations(scored.current)] == ["G", "A"]


# -- debounce --------------------------------------------------------------------------------


def test_roll_ups_in_a_row_queue_one_warm_up(
    warming_on, sent, scored, django_capture_on_commit_callbacks
):
    pk = scored.current.pk
    with django_capture_on_commit_callbacks(execute=True):
        for submission_id in range(5):
            written(pk, [submission_id])
    assert sent == [([pk], None)]
    warming.run_period(pk)  # the queued warm-up reads what all five wrote
    assert len(sent) == 1
    with django_capture_on_commit_callbacks(execute=True):
        written(pk)
    assert sent[1:] == [([pk], None)]  # the next roll-up is warmed at once


def test_roll_ups_during_a_warm_up_send_one_more_after_a_pause(
    warming_on, sent, monkeypatch, scored, django_capture_on_commit_callbacks
):
    pk = scored.current.pk
    with django_capture_on_commit_callbacks(execute=True):
        written(pk)

    def warm_while_approvals_come_in(period_id: int) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            written(period_id, [1])
            written(period_id, [2])
        return 1

    monkeypatch.setattr(warming, "warm_period", warm_while_approvals_come_in)
    warming.run_period(pk)
    assert sent == [([pk], None), ([pk], warming.REPEAT_AFTER)]


def test_readers_keep_the_current_version_until_the_warm_up_publishes_the_new_one(
    warming_on, sent, scored, django_capture_on_commit_callbacks
):
    """No reader computes what the warm-up is computing: until it is done, they read the
    aggregates of the scores before the roll-up."""
    name = board.scores_version(scored.current.pk)
    before = versions.current(name)
    with django_capture_on_commit_callbacks(execute=True):
        written(scored.current.pk)
    assert versions.current(name) == before
    warming.run_period(scored.current.pk)
    assert versions.current(name) != before
    group = Organization.objects.get(code="G")
    computed = board.compute_aggregates(scored.current, group)
    with CaptureQueriesContext(connection) as captured:
        assert board.aggregates(scored.current, group) == computed
    assert len(captured) == 0


def test_with_the_warm_up_off_a_roll_up_only_bumps_the_version(
    settings, sent, scored, django_capture_on_commit_callbacks
):
    settings.DASHBOARDS_WARM = False
    version = versions.current(board.scores_version(scored.current.pk))
    with django_capture_on_commit_callbacks(execute=True):
        written(scored.current.pk)
    assert versions.current(board.scores_version(scored.current.pk)) != version
    assert sent == []


def test_a_failed_warm_up_fails_no_scoring_and_frees_the_lock(
    warming_on, monkeypatch, scored, django_capture_on_commit_callbacks
):
    def fail(period_id: int) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(warming, "warm_period", fail)
    name = board.scores_version(scored.current.pk)
    before = versions.current(name)
    with django_capture_on_commit_callbacks(execute=True):
        written(scored.current.pk)  # raises nothing
    assert versions.current(name) != before  # published: readers compute, as without warming
    calls = []
    monkeypatch.setattr(warming, "warm_period", lambda period_id: calls.append(period_id) or 0)
    with django_capture_on_commit_callbacks(execute=True):
        written(scored.current.pk)
    assert calls == [scored.current.pk]
