"""Monthly meeting reminders: from the configured day on, the secretaries of every organization
that has not held a monthly meeting kind get a notice, once per organization, kind and month.

The framework's monthly kinds (tests.factories.records.framework_with_records): 支委会
(committee_meeting) and 主题党日 (theme_day) for branches and general branches, 党小组会
(group_meeting) for branches. Alice is A1a's secretary, bob A1b's; B1 and the general branch A1
have none.
"""

import datetime
import os
import subprocess
import sys

import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessment.choices import NoticeKind
from assessment.models import Notice
from assessment.services.notices import notice_link, notice_text
from organizations.services import assign_role
from records.models import MeetingReminder
from records.services.reminders import send_meeting_reminders
from records.tasks import send_meeting_reminders as reminder_task
from tests.factories import FrameworkFactory, OrganizationFactory, PeriodFactory, UserFactory
from tests.factories.records import MeetingFactory, framework_with_records

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 5, 20)  # the default reminder day


@pytest.fixture(autouse=True)
def records_period(tree):
    return PeriodFactory(framework=FrameworkFactory(document=framework_with_records()), year=2026)


def sent() -> set[tuple[str, str]]:
    """(username, link's query) of every meeting reminder."""
    return {
        (n.user.username, notice_link(n).split("?", 1)[1])
        for n in Notice.objects.filter(kind=NoticeKind.MEETING_DUE).select_related("user")
    }


def query(kind: str, month: int = 5) -> str:
    return f"kind={kind}&year=2026&month={month}"


def test_nothing_is_sent_before_the_reminder_day(tree, alice):
    assert send_meeting_reminders(DAY - datetime.timedelta(days=1)) == 0
    assert not Notice.objects.exists()


def test_secretaries_of_branches_without_a_meeting_are_reminded_of_each_kind(tree, alice, bob):
    MeetingFactory(organization=tree.a1a, kind="committee_meeting", date=datetime.date(2026, 5, 6))

    count = send_meeting_reminders(DAY)

    assert sent() == {
        ("alice", query("group_meeting")),
        ("alice", query("theme_day")),
        ("bob", query("committee_meeting")),
        ("bob", query("group_meeting")),
        ("bob", query("theme_day")),
    }
    assert count == 5


def test_a_branch_that_met_is_not_reminded(tree, alice):
    for kind in ("committee_meeting", "group_meeting", "theme_day"):
        MeetingFactory(organization=tree.a1a, kind=kind, date=datetime.date(2026, 5, 2))
    send_meeting_reminders(DAY)
    assert not {user for user, _q in sent()} & {"alice"}


def test_a_meeting_of_another_month_does_not_count(tree, alice):
    MeetingFactory(organization=tree.a1a, kind="committee_meeting", date=datetime.date(2026, 4, 28))
    send_meeting_reminders(DAY)
    assert ("alice", query("committee_meeting")) in sent()


def test_running_twice_sends_nothing_new(tree, alice, bob):
    assert send_meeting_reminders(DAY) == 6
    assert send_meeting_reminders(DAY) == 0
    assert send_meeting_reminders(DAY + datetime.timedelta(days=3)) == 0
    assert Notice.objects.filter(kind=NoticeKind.MEETING_DUE).count() == 6


def test_a_reminder_is_not_sent_again_once_its_notice_is_gone(tree, alice, bob):
    # What was sent is kept apart from the notices, which their readers may clear.
    send_meeting_reminders(DAY)
    Notice.objects.filter(kind=NoticeKind.MEETING_DUE).delete()

    assert send_meeting_reminders(DAY + datetime.timedelta(days=1)) == 0
    assert MeetingReminder.objects.count() == 6


def test_a_new_month_reminds_again(tree, alice):
    send_meeting_reminders(DAY)
    send_meeting_reminders(datetime.date(2026, 6, 22))
    assert ("alice", query("theme_day", 6)) in sent()
    assert Notice.objects.filter(user__username="alice").count() == 6


def test_every_secretary_of_the_branch_gets_one_notice_a_kind(tree, alice):
    deputy = UserFactory(username="deputy")
    assign_role(user=deputy, organization=tree.a1a, role="secretary")
    send_meeting_reminders(DAY)
    assert Notice.objects.filter(user=deputy).count() == 3
    assert Notice.objects.filter(user=alice).count() == 3


def test_only_the_branchs_own_secretaries_are_reminded(tree, alice, carol, erin):
    send_meeting_reminders(DAY)
    assert not Notice.objects.filter(user__in=[carol, erin]).exists()


def test_a_branch_without_a_secretary_is_tried_again_once_one_is_named(tree, alice):
    send_meeting_reminders(DAY)
    assert not Notice.objects.filter(reason__contains=f"/{tree.b1.pk}/meetings/").exists()
    secretary = UserFactory(username="b1sec")
    assign_role(user=secretary, organization=tree.b1, role="secretary")

    assert send_meeting_reminders(DAY + datetime.timedelta(days=1)) == 3
    assert Notice.objects.filter(user=secretary).count() == 3


def test_the_reminder_day_is_a_setting(tree, alice, settings):
    settings.RECORDS_REMINDER_DAY = 5
    assert send_meeting_reminders(datetime.date(2026, 5, 5)) == 3


def test_the_notice_says_what_is_missing_and_links_to_the_meetings(tree, alice):
    MeetingFactory(organization=tree.a1a, kind="committee_meeting", date=datetime.date(2026, 5, 6))
    send_meeting_reminders(DAY)
    notice = Notice.objects.filter(user=alice).order_by("pk").first()

    with translation.override("en"):
        text = notice_text(notice)

    # Written once in the portal's language, like a report's notice (the reader's is unknown).
    assert text == "甲一第一支部在 2026-05 尚未召开党小组会。"
    assert notice_link(notice) == (
        f"/records/organizations/{tree.a1a.pk}/meetings/?kind=group_meeting&year=2026&month=5"
    )


def test_the_reminders_are_mailed_after_commit(
    tree, alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_meeting_reminders(DAY)
    assert len(mailoutbox) == 6
    assert {m.to[0] for m in mailoutbox} == {"alice@example.com", "bob@example.com"}
    assert f"/records/organizations/{tree.a1a.pk}/meetings/" in mailoutbox[0].body


def test_the_queries_do_not_grow_with_the_branches(tree, alice):
    def queries() -> int:
        Notice.objects.all().delete()
        MeetingReminder.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            send_meeting_reminders(DAY)
        return len(captured)

    few = queries()
    for n in range(10):
        branch = OrganizationFactory(parent=tree.a1)
        assign_role(user=UserFactory(username=f"sec{n}"), organization=branch, role="secretary")
    many = queries()

    assert many == few
    assert Notice.objects.count() == 3 * 11


def test_the_daily_task_runs_the_reminders_of_today(tree, alice, settings):
    settings.RECORDS_REMINDER_DAY = 1
    assert reminder_task.delay().get() == 3  # today's month, whatever it is, had no meeting
    assert reminder_task.delay().get() == 0


def test_beat_runs_the_reminders_every_day():
    entry = django_settings.CELERY_BEAT_SCHEDULE["meeting-reminders"]
    assert entry["task"] == "records.send_meeting_reminders"
    assert isinstance(entry["schedule"], crontab)
    assert (entry["schedule"].hour, entry["schedule"].day_of_month) == ({8}, set(range(1, 32)))


def test_a_reminder_day_that_some_month_lacks_is_refused():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env={**os.environ, "RECORDS_REMINDER_DAY": "31"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "RECORDS_REMINDER_DAY" in result.stderr
