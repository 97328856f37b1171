"""The score runs page: for group administrators only; progress, recompute, roll-up settings."""

from unittest import mock

import pytest
from django.urls import reverse

from assessment import tasks
from assessment.models import RollupSettings, ScoreRun
from assessment.services import scores
from audit.models import AuditEntry
from tests.html import page

from .test_scores_support import (
    FULL,
    _peer_ranks_at_once,  # noqa: F401  (an autouse fixture)
    set_values,
    submission_of,
    totals,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("assessment:score_runs")
TABLE = reverse("assessment:score_runs_table")


@pytest.mark.parametrize("who", ["alice", "carol", "dave", "frank"])
def test_only_group_administrators_find_the_page(period, who, request, client_for):
    client = client_for(request.getfixturevalue(who))
    assert client.get(PAGE).status_code == 404
    assert client.get(TABLE).status_code == 404
    assert client.post(reverse("assessment:score_recompute", args=[period.pk])).status_code == 404
    assert not ScoreRun.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_administrator_sees_each_period_with_its_progress(period, erin, client_for):
    run = scores.start_full_recompute(period, trigger="manual", enqueue=False)
    ScoreRun.objects.filter(pk=run.pk).update(status="running", progress=42)
    response = client_for(erin).get(PAGE)
    assert response.status_code == 200
    shown = page(response)
    row = f'#score-runs tr[data-period="{period.pk}"]'
    assert shown.attr(f"{row} [data-progress]", "data-progress") == "42"
    # reloads itself while the run goes on
    assert shown.attr("#score-runs", "hx-trigger") == "every 2s"


def test_the_table_stops_reloading_once_runs_are_done(period, erin, client_for):
    ScoreRun.objects.create(period=period, trigger="manual", status="done", progress=100)
    shown = page(client_for(erin).get(TABLE))
    row = f'#score-runs tr[data-period="{period.pk}"]'
    assert shown.attr(f"{row} [data-progress]", "data-progress") == "100"
    assert not shown.has("[hx-trigger]")


def test_an_administrator_starts_a_recompute(
    period, tree, erin, client_for, django_capture_on_commit_callbacks
):
    set_values(submission_of(period, tree.a1a), FULL)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(erin).post(reverse("assessment:score_recompute", args=[period.pk]))
    assert response.status_code == 302
    run = ScoreRun.objects.get()
    assert (run.status, run.progress, run.requested_by, run.trigger) == (
        "done",
        100,
        erin,
        "manual",
    )
    assert totals(period)["A1a"] == 100


def test_a_recompute_under_way_is_not_started_twice(period, erin, client_for):
    scores.start_full_recompute(period, trigger="manual", enqueue=False)
    response = client_for(erin).post(
        reverse("assessment:score_recompute", args=[period.pk]), follow=True
    )
    assert ScoreRun.objects.count() == 1
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_settings_are_saved_and_open_periods_recomputed(
    period, erin, client_for, django_capture_on_commit_callbacks
):
    code = period.framework.code
    data = {
        "framework": code,
        f"{code}-own_weight": "0.5",
        f"{code}-children": "members",
        f"{code}-missing": "flag",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(erin).post(reverse("assessment:rollup_settings"), data)
    assert response.status_code == 302
    saved = RollupSettings.objects.get(framework_code=code)
    assert (saved.own_weight, saved.children, saved.missing, saved.updated_by) == (
        0.5,
        "members",
        "flag",
        erin,
    )
    run = ScoreRun.objects.get()
    assert (run.trigger, run.status) == ("settings", "done")


def test_settings_are_for_group_administrators_only(period, carol, client_for):
    code = period.framework.code
    response = client_for(carol).post(
        reverse("assessment:rollup_settings"), {"framework": code, f"{code}-own_weight": "1"}
    )
    assert response.status_code == 404
    assert not RollupSettings.objects.exists()


def test_bad_settings_are_refused_with_the_reason(period, erin, client_for):
    code = period.framework.code
    response = client_for(erin).post(
        reverse("assessment:rollup_settings"),
        {
            "framework": code,
            f"{code}-own_weight": "1.5",
            f"{code}-children": "equal",
            f"{code}-missing": "zero",
        },
    )
    assert response.status_code == 400
    assert not RollupSettings.objects.exists()
    assert not ScoreRun.objects.exists()


def _settings(code: str, *, own_weight: str = "0.5", children: str = "members") -> dict:
    return {
        "framework": code,
        f"{code}-own_weight": own_weight,
        f"{code}-children": children,
        f"{code}-missing": "flag",
    }


def test_saving_settings_records_who_changed_what_in_the_audit_trail(
    period, erin, client_for, django_capture_on_commit_callbacks
):
    """GIVEN the defaults in force WHEN erin saves new settings THEN one audit entry says who
    changed them, from what to what."""
    code = period.framework.code
    with django_capture_on_commit_callbacks(execute=True):
        client_for(erin).post(reverse("assessment:rollup_settings"), _settings(code))
    entry = AuditEntry.objects.get(kind="rollup.settings.saved")
    saved = RollupSettings.objects.get(framework_code=code)
    assert (entry.actor, entry.target, entry.summary) == (
        erin,
        f"rollup-settings:{saved.pk}",
        code,
    )
    assert entry.before == {"own_weight": 0.3, "children": "equal", "missing": "zero"}
    assert entry.after == {"own_weight": 0.5, "children": "members", "missing": "flag"}


def test_a_second_save_records_the_first_as_its_before(
    period, erin, client_for, django_capture_on_commit_callbacks
):
    code = period.framework.code
    client = client_for(erin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment:rollup_settings"), _settings(code))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessment:rollup_settings"), _settings(code, own_weight="0.2"))
    entry = AuditEntry.objects.filter(kind="rollup.settings.saved").order_by("-id").first()
    assert (entry.before["own_weight"], entry.after["own_weight"]) == (0.5, 0.2)
    assert AuditEntry.objects.filter(kind="rollup.settings.saved").count() == 2


def test_an_invalid_form_saves_sends_and_records_nothing(
    period, erin, client_for, django_capture_on_commit_callbacks
):
    code = period.framework.code
    with (
        mock.patch.object(tasks.recompute_period, "apply_async") as send,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client_for(erin).post(
            reverse("assessment:rollup_settings"), _settings(code, own_weight="1.5")
        )
    assert response.status_code == 400
    assert not RollupSettings.objects.exists()
    assert not ScoreRun.objects.exists()
    assert not AuditEntry.objects.filter(kind="rollup.settings.saved").exists()
    assert callbacks == []
    send.assert_not_called()


def test_the_recompute_is_sent_only_once_the_settings_and_their_entry_are_committed(
    period, erin, client_for, django_capture_on_commit_callbacks
):
    """The worker must find the new settings, and the trail must say why the scores moved."""
    code = period.framework.code
    seen_when_sent = []

    def send(*args, **kwargs):
        seen_when_sent.append(
            (
                RollupSettings.objects.filter(framework_code=code, children="members").exists(),
                AuditEntry.objects.filter(kind="rollup.settings.saved").exists(),
            )
        )

    with mock.patch.object(tasks.recompute_period, "apply_async", side_effect=send) as sent:
        with django_capture_on_commit_callbacks() as callbacks:
            client_for(erin).post(reverse("assessment:rollup_settings"), _settings(code))
            sent.assert_not_called()  # still inside the transaction: nothing sent yet
        assert len(callbacks) == 1
        callbacks[0]()  # the commit
    run = ScoreRun.objects.get()
    assert sent.call_args.kwargs["args"] == [run.pk]
    assert seen_when_sent == [(True, True)]


def test_a_failure_while_starting_the_recomputes_leaves_the_settings_as_they_were(
    period, erin, client_for, django_capture_on_commit_callbacks
):
    """Settings, runs and the audit entry are one transaction: all or nothing."""
    code = period.framework.code
    with (
        mock.patch.object(scores, "start_full_recompute", side_effect=RuntimeError("boom")),
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
    ):
        client_for(erin).post(reverse("assessment:rollup_settings"), _settings(code))
    assert not RollupSettings.objects.exists()
    assert not AuditEntry.objects.filter(kind="rollup.settings.saved").exists()
    assert callbacks == []
