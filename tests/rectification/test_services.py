"""Transitions, who may take them, their history and audit entries, and overdue flagging."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from rectification import services, tasks
from rectification.models import Rectification

from .conftest import pdf

pytestmark = pytest.mark.django_db


def test_the_requester_cannot_confirm_their_own_request(weak_item, erin, carol):
    services.request_closure(
        weak_item, acting_user=erin, version=1, closing_note="Done", files=[pdf()]
    )
    weak_item.refresh_from_db()
    assert not services.can_decide(erin, weak_item)
    with pytest.raises(services.NotAllowed):
        services.confirm(weak_item, acting_user=erin, version=2)
    services.confirm(weak_item, acting_user=carol, version=2)
    weak_item.refresh_from_db()
    assert weak_item.state == "closed"


def test_a_reviewer_of_the_unit_itself_does_not_decide(weak_item, alice, tree):
    from organizations.services import assign_role
    from tests.factories import UserFactory

    own = UserFactory(username="own_reviewer")
    assign_role(user=own, organization=tree.a1a, role="reviewer")
    services.request_closure(
        weak_item, acting_user=alice, version=1, closing_note="x", files=[pdf()]
    )
    with pytest.raises(services.NotAllowed):
        services.confirm(weak_item, acting_user=own, version=2)


def test_an_auditor_may_look_but_not_change(weak_item, dave):
    assert Rectification.objects.restrict(dave).filter(pk=weak_item.pk).exists()
    with pytest.raises(services.NotAllowed):
        services.update(weak_item, acting_user=dave, version=1, plan="x")


def test_evidence_is_required_and_nothing_changes_without_it(weak_item, alice):
    with translation.override("en"), pytest.raises(services.RectificationError, match="evidence"):
        services.request_closure(weak_item, acting_user=alice, version=1, closing_note="Done")
    with (
        translation.override("en"),
        pytest.raises(services.RectificationError, match="closing note"),
    ):
        services.request_closure(
            weak_item, acting_user=alice, version=1, closing_note=" ", files=[pdf()]
        )
    weak_item.refresh_from_db()
    assert (weak_item.state, weak_item.version, weak_item.evidence.count()) == ("open", 1, 0)


def test_after_a_rejection_the_evidence_already_there_counts(weak_item, alice, carol):
    services.request_closure(
        weak_item, acting_user=alice, version=1, closing_note="a", files=[pdf()]
    )
    services.reject(weak_item, acting_user=carol, version=2, reason="More detail")
    services.request_closure(weak_item, acting_user=alice, version=3, closing_note="b")
    weak_item.refresh_from_db()
    assert weak_item.state == "closure_requested"
    assert weak_item.rejection_reason == ""


def test_a_closed_item_cannot_be_changed(weak_item, alice, carol):
    services.request_closure(
        weak_item, acting_user=alice, version=1, closing_note="a", files=[pdf()]
    )
    services.confirm(weak_item, acting_user=carol, version=2)
    with pytest.raises(services.RectificationError):
        services.update(weak_item, acting_user=alice, version=3, plan="more")


def test_a_due_date_before_opening_is_refused(weak_item, alice):
    with translation.override("en"), pytest.raises(services.RectificationError, match="before"):
        services.update(weak_item, acting_user=alice, version=1, due_date=datetime.date(2000, 1, 1))


def test_every_step_is_in_the_history_and_the_audit_trail(weak_item, alice, carol):
    from audit.models import AuditEntry

    services.update(weak_item, acting_user=alice, version=1, plan="Plan")
    services.request_closure(
        weak_item, acting_user=alice, version=2, closing_note="a", files=[pdf()]
    )
    services.confirm(weak_item, acting_user=carol, version=3)
    steps = list(weak_item.events.values_list("from_state", "to_state", "by__username"))
    assert steps == [
        ("open", "in_progress", "alice"),
        ("in_progress", "closure_requested", "alice"),
        ("closure_requested", "closed", "carol"),
    ]
    kinds = list(AuditEntry.objects.values_list("kind", flat=True))
    assert kinds.count("rectification.created") == 1
    assert kinds.count("rectification.transition") == 3


def overdue(item, days: int = 1):
    Rectification.objects.filter(pk=item.pk).update(
        due_date=datetime.date.today() - datetime.timedelta(days=days)
    )


def test_overdue_items_are_flagged_once(
    weak_item, alice, carol, django_capture_on_commit_callbacks
):
    overdue(weak_item)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.flag_overdue(datetime.date.today()) == 1
    assert services.flag_overdue(datetime.date.today()) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "carol@example.com"]
    assert "C1.01" in mail.outbox[0].body
    assert f"/rectification/rectifications/{weak_item.pk}/" in mail.outbox[0].body
    weak_item.refresh_from_db()
    assert weak_item.overdue_notified_at is not None


def test_closed_and_not_yet_due_items_are_not_flagged(weak_item, alice, carol):
    assert services.flag_overdue(datetime.date.today()) == 0  # due in 60 days
    services.request_closure(
        weak_item, acting_user=alice, version=1, closing_note="a", files=[pdf()]
    )
    services.confirm(weak_item, acting_user=carol, version=2)
    overdue(weak_item)
    assert services.flag_overdue(datetime.date.today()) == 0


def test_a_new_due_date_arms_the_flag_again(weak_item, alice, carol):
    overdue(weak_item)
    tasks.flag_overdue.delay()
    weak_item.refresh_from_db()
    services.update(weak_item, acting_user=alice, version=1, due_date=datetime.date.today())
    assert services.flag_overdue(datetime.date.today() + datetime.timedelta(days=1)) == 1


def test_overdue_items_are_portal_notices_too(weak_item, alice, carol):
    from assessment.models import Notice

    overdue(weak_item)
    services.flag_overdue(datetime.date.today())
    assert set(Notice.objects.values_list("user__username", flat=True)) == {"alice", "carol"}
