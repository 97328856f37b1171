"""Members needing follow-up: the steps an approval creates, recorded by the branch or a
reviewer (service and pages)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry, AuditKind
from standards.models import FollowUp
from standards.selectors import appraisals as selectors
from standards.services import appraisals as services
from tests.html import page

from .appraisal_builders import appraisal_of, appraised_period
from .test_appraisals import NINE


@pytest.fixture
def steps(std_framework, tree, carol):
    period, people = appraised_period(std_framework, {tree.a1a: NINE})
    services.approve(appraisal_of(period, tree.a1a), version=1, acting_user=carol)
    return period, people


def step(name, kind="talk"):
    return FollowUp.objects.get(person__name=name, step=kind)


def test_the_branch_records_a_step_done(steps, alice):
    item = step("辛")
    today = timezone.localdate()
    services.update_follow_up(
        item, done_on=today, owner=alice, note="已谈话", version=1, acting_user=alice
    )
    item.refresh_from_db()
    assert (item.done_on, item.note, item.version) == (today, "已谈话", 2)
    entry = AuditEntry.objects.get(kind=AuditKind.FOLLOW_UP_SAVED)
    assert entry.after["note"] == "已谈话"


def test_a_done_date_in_the_future_is_refused(steps, alice):
    item = step("辛")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(services.AppraisalRefused):
        services.update_follow_up(
            item, done_on=tomorrow, owner=None, note="", version=1, acting_user=alice
        )
    assert step("辛").done_on is None


def test_a_stale_follow_up_is_refused(steps, alice, carol):
    item = step("辛")
    services.update_follow_up(
        item, done_on=None, owner=None, note="a", version=1, acting_user=alice
    )
    with pytest.raises(services.StaleVersion):
        services.update_follow_up(
            item, done_on=None, owner=None, note="b", version=1, acting_user=carol
        )


def test_a_sibling_may_not_record_it(steps, bob):
    with pytest.raises(services.NotAllowed):
        services.update_follow_up(
            step("辛"), done_on=None, owner=None, note="x", version=1, acting_user=bob
        )


def test_the_owner_must_see_the_branch(steps, alice, bob):
    with pytest.raises(services.AppraisalRefused):
        services.update_follow_up(
            step("辛"), done_on=None, owner=bob, note="", version=1, acting_user=alice
        )


def test_states_open_overdue_done(steps, alice, carol):
    FollowUp.objects.filter(person__name="壬", step="talk").update(
        due=timezone.localdate() - datetime.timedelta(days=1)
    )
    services.update_follow_up(
        step("辛"), done_on=timezone.localdate(), owner=alice, note="", version=1, acting_user=alice
    )
    assert selectors.follow_ups(carol, state="overdue").count() == 1
    assert selectors.follow_ups(carol, state="done").count() == 1
    assert selectors.follow_ups(carol, state="open").count() == 4
    assert selectors.follow_ups(carol).count() == 5


def test_the_committee_sees_the_list(steps, client_for, carol, django_assert_max_num_queries):
    FollowUp.objects.filter(person__name="壬", step="talk").update(
        due=timezone.localdate() - datetime.timedelta(days=1)
    )
    client = client_for(carol)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("standards:follow_ups"))
    html = page(response)
    assert html.count("[data-follow-up]") == 5
    assert html.count("[data-overdue]") == 1
    assert html.text("[data-total]") == "5"


def test_the_list_filters_by_state_and_period(steps, client_for, carol):
    period, _ = steps
    url = reverse("standards:follow_ups") + f"?period={period.pk}&state=done"
    assert page(client_for(carol).get(url)).count("[data-follow-up]") == 0


def test_an_organization_outside_the_scope_shows_nothing(steps, tree, client_for, alice):
    url = reverse("standards:follow_ups") + f"?organization={tree.b1.pk}"
    response = client_for(alice).get(url)
    assert response.status_code == 200
    assert page(response).count("[data-follow-up]") == 0


def test_a_sibling_sees_none_and_gets_404(steps, client_for, bob):
    assert page(client_for(bob).get(reverse("standards:follow_ups"))).count("[data-follow-up]") == 0
    url = reverse("standards:follow_up_detail", args=[step("辛").pk])
    assert client_for(bob).get(url).status_code == 404
    assert client_for(bob).post(url, {"version": 1}).status_code == 404


def test_the_edit_page_saves(steps, client_for, alice):
    item = step("辛")
    url = reverse("standards:follow_up_detail", args=[item.pk])
    assert client_for(alice).get(url).status_code == 200
    today = timezone.localdate()
    response = client_for(alice).post(
        url, {"done_on": today.isoformat(), "owner": alice.pk, "note": "=cmd", "version": 1}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.done_on, item.owner, item.note) == (today, alice, "=cmd")


def test_the_edit_page_refuses_bad_input(steps, client_for, alice):
    url = reverse("standards:follow_up_detail", args=[step("辛").pk])
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client_for(alice).post(url, {"done_on": future, "version": 1})
    assert response.status_code == 400
    assert page(response).has("[data-alert]")
    response = client_for(alice).post(url, {"done_on": "not a date", "version": 1})
    assert response.status_code == 400
    assert client_for(alice).post(url, {"note": "a", "version": 9}).status_code == 409
    assert step("辛").note == ""


def test_an_auditor_sees_but_cannot_save(steps, client_for, dave):
    url = reverse("standards:follow_up_detail", args=[step("辛").pk])
    response = client_for(dave).get(url)
    assert response.status_code == 200
    assert not page(response).has("[data-form='follow-up']")
    assert client_for(dave).post(url, {"note": "x", "version": 1}).status_code == 403
    assert step("辛").note == ""
