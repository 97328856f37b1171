"""Recording a meeting on a phone (390 px wide), in a real browser.

Alice, secretary of branch A1a, opens the records from the menu, records a branch committee
meeting: everyone is present by default, she taps one member to excused and types the reason,
takes a photo, saves, and finds the meeting in the branch's list.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from records.models import Meeting
from tests.factories import PASSWORD, FrameworkFactory, PeriodFactory, PersonFactory
from tests.factories.records import framework_with_records

from .conftest import STATE_TIMEOUT_MS, login, post_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(STATE_TIMEOUT_MS)
    page.set_default_navigation_timeout(STATE_TIMEOUT_MS)
    yield page
    context.close()


@pytest.fixture
def branch(live_server, tree, alice):
    """The year of today open under a framework with meeting kinds; A1a has two more members."""
    year = timezone.localdate().year
    PeriodFactory(framework=FrameworkFactory(document=framework_with_records()), year=year)
    PersonFactory(organization=tree.a1a, name="王五", employee_number="A1A-2")
    PersonFactory(organization=tree.a1a, name="赵六", employee_number="A1A-3")
    return tree.a1a


def test_a_secretary_records_a_meeting_on_a_phone(phone, live_server, branch):
    page = phone
    login(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/records/meetings/")
    expect(page.locator("h1")).to_contain_text(branch.name)
    page.locator("[data-record-meeting]").click()

    form = page.locator("form[data-form='meeting']")
    expect(form.locator("[data-roll] [data-person]")).to_have_count(3)
    expect(form.locator("input[name=date]")).to_have_value(timezone.localdate().isoformat())
    # Everyone starts present.
    expect(form.locator("[data-roll] input[value=present]:checked")).to_have_count(3)

    form.locator("select[name=kind]").select_option("committee_meeting")
    form.locator("input[name=topic]").fill("学习贯彻全会精神")
    wang = form.locator("[data-roll] [data-person]").filter(has_text="王五")
    reason = wang.locator("input[type=text]")
    expect(reason).to_be_hidden()
    wang.get_by_text("请假").click()
    expect(reason).to_be_visible()
    reason.fill("出差")
    form.locator("input[name=photos]").set_input_files(
        {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
    )
    # Nothing runs off the side of a phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    post_and_wait(page, form.locator("[data-save-meeting]"))
    expect(page.locator("[data-topic]")).to_have_text("学习贯彻全会精神")
    expect(page.locator("[data-count=excused]")).to_have_text("1")
    expect(page.locator("[data-count=present]")).to_have_text("2")
    expect(page.locator("[data-attachment]")).to_contain_text("现场.jpg")

    page.locator(".breadcrumb a").first.click()
    listed = page.locator("[data-meeting]")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("学习贯彻全会精神")
    expect(listed.locator("[data-counts]")).to_contain_text("请假 1 人")

    meeting = Meeting.objects.get()
    roll = {a.person.name: (a.presence, a.reason) for a in meeting.attendance.all()}
    assert roll["王五"] == ("excused", "出差")
    assert meeting.attachments.get().content_type == "image/jpeg"
