"""A draft tried on the last period's scored submissions before it is published.

The shared tree's four branches were scored in 2025 and 2026 with the small framework (C1.01
linear from 0 to 12 for 40 points, C2.01 yes/no for 60; see tests/builders.py SCORED_VALUES).
In 2026: A1a 6 and yes (80, B), A1b 12 and no (40, D), A1c 3 and yes (70, C), B1 9 and yes (90, A).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment import services, tasks
from assessment.models import DraftTrial, Indicator
from assessment.selectors import trial as trial_selectors
from assessment.selectors.frameworks import _ENGINE_CACHE
from assessment.selectors.trial import affected_kinds, trial_period, try_draft
from assessment.services import trials
from core import jobs
from tests.builders import build_scored
from tests.html import page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_engine_cache():
    _ENGINE_CACHE.clear()
    yield
    _ENGINE_CACHE.clear()


@pytest.fixture
def scored(tree, erin):
    return build_scored(tree, erin)


@pytest.fixture
def draft(scored):
    return services.clone_framework(scored.current.framework, version="2027")


def floor_of_c101(draft, floor: float) -> None:
    row = Indicator.objects.get(framework=draft, code="C1.01")
    services.update_indicator(row, {"rubric": {"kind": "linear", "floor": floor}})


def trial_url(framework) -> str:
    return reverse("assessment:framework_trial", args=[framework.pk])


def run_url(framework, job) -> str:
    return reverse("assessment:framework_trial_run", args=[framework.pk, job.pk])


def test_the_trial_takes_the_last_period_with_scores(scored, draft):
    assert trial_period(draft) == scored.current


def test_an_unchanged_draft_scores_nothing_again(scored, draft):
    trial = try_draft(draft, scored.current)

    assert (trial.subjects, trial.unaffected, trial.changes) == (0, 4, [])


def test_a_higher_floor_lists_the_branches_that_would_lose_a_grade(scored, draft):
    """GIVEN the draft's C1.01 earning nothing below 6 (instead of 0), WHEN tried on 2026, THEN
    A1a (80 → 60, B → C) and B1 (90 → 80, A → B) change grade, A1c only its total (70 → 60)."""
    floor_of_c101(draft, 6)

    trial = try_draft(draft, scored.current, lang="en")

    assert (trial.subjects, trial.totals_changed, trial.up, trial.down) == (4, 3, 0, 2)
    changes = {(c.old_grade, c.new_grade, c.old_total, c.new_total) for c in trial.changes}
    assert changes == {("B Good", "C Qualified", 80, 60), ("A Excellent", "B Good", 90, 80)}
    assert all(c.subject_kind == "Branch" and not c.better for c in trial.changes)


def test_only_the_kinds_an_edit_touches_are_scored_again(scored, draft):
    floor_of_c101(draft, 6)

    assert affected_kinds(scored.current.framework, draft) == {"branch"}


def start_trial(client, draft, django_capture_on_commit_callbacks, **headers):
    """Erin asks for the trial; the task runs eagerly once the row is committed."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(trial_url(draft), **headers)
    assert response.status_code == 302
    return DraftTrial.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])


def test_the_job_stores_what_the_trial_computes(scored, draft, erin):
    floor_of_c101(draft, 6)
    job = DraftTrial.objects.create(
        framework=draft, period=scored.current, requested_by=erin, language="en"
    )

    assert tasks.try_draft(job.pk) == 2

    job.refresh_from_db()
    direct = trials.as_result(try_draft(draft, scored.current, lang="en"))
    stored, direct = dict(job.result), dict(direct)
    stored.pop("seconds"), direct.pop("seconds")
    assert (job.status, job.attempts, job.finished_at is not None) == ("done", 1, True)
    assert stored == direct
    assert tasks.try_draft(job.pk) == 0  # a late copy of the message: done already, left alone


def test_the_request_queues_the_trial_and_computes_nothing(
    client_for, erin, scored, draft, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(trial_selectors, "try_draft", lambda *a, **k: pytest.fail("computed"))
    monkeypatch.setattr(tasks.try_draft, "apply_async", lambda *a, **k: sent.append(k["args"]))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(erin).post(trial_url(draft))

    job = DraftTrial.objects.get()
    assert response.url == run_url(draft, job)
    assert (job.status, job.period, job.requested_by, sent) == (
        "queued",
        scored.current,
        erin,
        [[job.pk]],
    )
    shown = page(client_for(erin).get(run_url(draft, job), HTTP_ACCEPT_LANGUAGE="en"))
    assert shown.has(f'#trial-results[hx-get="{run_url(draft, job)}"][data-status="queued"]')


def test_the_page_only_offers_the_trial_a_post_starts_it(
    client_for, erin, scored, draft, django_capture_on_commit_callbacks
):
    """Following the link (a GET: twice, prefetched, crawled) starts nothing; the page's button
    posts, and then the page names the latest trial."""
    client = client_for(erin)
    with django_capture_on_commit_callbacks(execute=True):
        shown = page(client.get(trial_url(draft), HTTP_ACCEPT_LANGUAGE="en"))

    assert not DraftTrial.objects.exists()
    assert shown.has(f'form[method="post"][action="{trial_url(draft)}"] button#start-trial')
    assert "Try on" in shown.text("#start-trial")
    assert not shown.has("#latest-trial")

    job = start_trial(client, draft, django_capture_on_commit_callbacks)
    again = page(client.get(trial_url(draft), HTTP_ACCEPT_LANGUAGE="en"))
    assert again.has(f'#latest-trial a[href="{run_url(draft, job)}"]')
    assert DraftTrial.objects.count() == 1


def test_erin_sees_the_changes_listed(
    client_for, erin, scored, draft, django_capture_on_commit_callbacks
):
    floor_of_c101(draft, 6)
    client = client_for(erin)
    job = start_trial(client, draft, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en")

    results = page(
        client.get(run_url(draft, job), HTTP_ACCEPT_LANGUAGE="en", HTTP_HX_REQUEST="true")
    )

    assert not results.has("#trial-results[hx-get]")  # done: the polling stops
    assert results.attr("[data-grade-changes]", "data-grade-changes") == "2"
    rows = results.rows("#trial-changes tbody")
    assert sorted(row[2] for row in rows) == ["A Excellent → B Good", "B Good → C Qualified"]
    assert sorted(row[3] for row in rows) == ["80.00 → 60.00", "90.00 → 80.00"]


def test_a_failed_trial_says_so(client_for, erin, scored, draft):
    job = DraftTrial.objects.create(
        framework=draft, period=scored.current, status="failed", error="boom"
    )

    shown = page(client_for(erin).get(run_url(draft, job), HTTP_ACCEPT_LANGUAGE="en"))

    assert shown.has("#trial-failed")
    assert not shown.has("#trial-results[hx-get]")


def test_polling_a_trial_costs_the_same_few_queries(
    client_for, erin, scored, draft, django_capture_on_commit_callbacks
):
    floor_of_c101(draft, 6)
    client = client_for(erin)
    job = start_trial(client, draft, django_capture_on_commit_callbacks)
    _ENGINE_CACHE.clear()

    with CaptureQueriesContext(connection) as queries:
        client.get(run_url(draft, job), HTTP_HX_REQUEST="true")

    assert len(queries) == 5, [q["sql"] for q in queries]  # the stored result: nothing is scored


@pytest.fixture
def killed_trial(scored, draft):
    """A trial whose worker died: running, silent for an hour."""
    return DraftTrial.objects.create(
        framework=draft,
        period=scored.current,
        language="en",
        status="running",
        attempts=1,
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
    )


def test_a_trial_whose_worker_died_is_sent_again(killed_trial, django_capture_on_commit_callbacks):
    floor_of_c101(killed_trial.framework, 6)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly
        done = jobs.reap()

    assert done["draft-trials"]["requeued"] == 1
    killed_trial.refresh_from_db()
    assert (killed_trial.status, killed_trial.attempts) == ("done", 2)
    assert killed_trial.result["down"] == 2


def test_a_trial_whose_last_attempt_died_fails(killed_trial, settings):
    settings.JOB_MAX_ATTEMPTS = 1

    assert jobs.reap()["draft-trials"]["failed"] == 1
    killed_trial.refresh_from_db()
    assert killed_trial.status == "failed"
    assert "已放弃" in killed_trial.error


def test_the_trial_is_only_for_administrators_and_drafts(client_for, alice, erin, scored, draft):
    assert client_for(alice).get(trial_url(draft)).status_code == 404
    assert client_for(erin).get(trial_url(scored.current.framework)).status_code == 404
    job = DraftTrial.objects.create(framework=draft, period=scored.current)
    assert client_for(alice).get(run_url(draft, job)).status_code == 404
    services.publish_framework(draft)
    assert client_for(erin).get(run_url(draft, job)).status_code == 404  # published: not a draft
