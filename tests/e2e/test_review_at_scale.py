"""A reviewer's day at scale, measured: 22 submissions wait; 20 are clean and approved, 2 have a
value outside its plausible range and are returned with a reason. Clicks are counted (a click
on a button, link, box or list, and putting the cursor in a text field) and the time taken.

`drive_before` works the way the queue allowed before issue 17 (open each submission from the
queue, decide at the foot of its page, go back to the queue: 68 clicks, 41 s); `drive_after` uses
the queue's warnings filter, the select-all box and the decisions on the chosen ones;
`drive_walk` opens the first and decides each from the review bar, the next opening by itself.
The suite asserts the after counts as upper bounds; times are printed, never asserted.
"""

import copy
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.choices import SubmissionState
from assessment.models import Submission
from assessment.services import submissions
from tests.factories import (
    PASSWORD,
    EvidenceFactory,
    FrameworkFactory,
    PeriodFactory,
    SubmissionFactory,
)
from tests.framework_data import SMALL_FRAMEWORK

from .conftest import login, post_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CLEAN = {"C1.01": "12", "C2.01": "yes"}
IMPLAUSIBLE = {"C1.01": "60", "C2.01": "yes"}  # above the plausible 0–50
REASON = "学习次数超出合理范围，请核实"
# The most clicks each way of working may take now.
AFTER_CLICKS = {"drive_after": 10, "drive_walk": 27}


class Clicks:
    """Counts what the reviewer does with the mouse."""

    def __init__(self, page) -> None:
        self.page = page
        self.count = 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()

    def post(self, locator) -> None:
        self.count += 1
        post_and_wait(self.page, locator)

    def choose(self, locator, value: str) -> None:
        self.count += 1
        locator.select_option(value)

    def type(self, locator, text: str) -> None:
        self.count += 1  # the cursor put in the field
        locator.fill(text)


@pytest.fixture
def waiting(live_server, tree, alice, carol):
    """22 departments of branch A1a submitted: 20 clean, 2 (named 需核实) implausible."""
    doc = copy.deepcopy(SMALL_FRAMEWORK)
    doc["subject_kinds"].append(
        {"code": "department", "unit": "department", "name": {"zh": "部门", "en": "Department"}}
    )
    for indicator in doc["indicators"]:
        indicator["applies_to"] = ["branch", "department"]
    doc["indicators"][0]["plausible"] = {"min": 0, "max": 50}
    period = PeriodFactory(framework=FrameworkFactory(document=doc))
    made = {}
    for n in range(22):
        odd = n >= 20
        name = f"需核实部门 {n - 19}" if odd else f"部门 {n + 1:02d}"
        submission = SubmissionFactory(
            period=period, organization=tree.a1a, for_department=True, subject_name=name
        )
        submission.refresh_from_db()
        submissions.save_values(
            submission,
            IMPLAUSIBLE if odd else CLEAN,
            version=submission.version,
            acting_user=alice,
        )
        EvidenceFactory(submission=submission, uploaded_by=alice)
        Submission.objects.filter(pk=submission.pk).update(
            state=SubmissionState.SUBMITTED, submitted_at=timezone.now()
        )
        made[name] = submission
    return made


def drive_before(page, base: str, waiting: dict) -> int:
    """Open each from the queue, decide at the foot of its page, back to the queue."""
    clicks = Clicks(page)
    page.goto(f"{base}/assessment/queue/")
    for name in waiting:
        clicks.post(page.get_by_role("link", name=name, exact=True))
        if name.startswith("需核实"):
            clicks.type(page.locator("form[action$='/return/'] textarea"), REASON)
            clicks.post(page.locator("form[action$='/return/'] button[type=submit]"))
        else:
            clicks.post(page.locator("form[action$='/approve/'] button[type=submit]"))
        clicks.post(page.locator("nav a[href$='/assessment/queue/']").first)
    return clicks.count


def drive_after(page, base: str, waiting: dict) -> int:
    """Approve the clean ones in one go, then return the warned ones with one reason."""
    clicks = Clicks(page)
    page.goto(f"{base}/assessment/queue/")
    filters = page.locator("[data-queue-filters]")
    clicks.choose(filters.locator("select[name=warnings]"), "clean")
    clicks.post(filters.get_by_role("button"))
    expect(page.locator("tr[data-submission]")).to_have_count(20)
    clicks.click(page.locator("[data-select-all]"))
    clicks.post(page.locator("[data-bulk-approve]"))
    expect(page.locator("[data-outcome='approve']")).to_contain_text("20")
    clicks.choose(filters.locator("select[name=warnings]"), "warned")
    clicks.post(filters.get_by_role("button"))
    expect(page.locator("tr[data-submission]")).to_have_count(2)
    clicks.click(page.locator("[data-select-all]"))
    clicks.click(page.locator("[data-bulk-return] summary"))
    clicks.type(page.locator("[data-bulk-return] textarea"), REASON)
    clicks.post(page.locator("[data-bulk-return-submit]"))
    expect(page.locator("[data-outcome='return']")).to_contain_text("2")
    return clicks.count


def drive_walk(page, base: str, waiting: dict) -> int:
    """Open the first from the queue, then decide each from the review bar: the next opens."""
    clicks = Clicks(page)
    page.goto(f"{base}/assessment/queue/")
    clicks.post(page.locator("tr[data-submission] a").first)
    for _n in waiting:
        bar = page.locator("[data-review-bar]")
        if page.locator("h1").inner_text().startswith("需核实"):
            clicks.click(bar.locator("[data-bar-return] summary"))
            clicks.type(bar.locator("textarea[name=reason]"), REASON)
            clicks.post(bar.locator("[data-bar-return-submit]"))
        else:
            clicks.post(bar.locator("[data-bar-approve]"))
    expect(page.locator("h1")).to_have_text("审核队列")
    return clicks.count


def decided(waiting: dict) -> dict[str, str]:
    states = dict(
        Submission.objects.filter(pk__in=[s.pk for s in waiting.values()]).values_list(
            "subject_name", "state"
        )
    )
    return {name: states[name] for name in waiting}


def expected(waiting: dict) -> dict[str, str]:
    return {name: "returned" if name.startswith("需核实") else "approved" for name in waiting}


@pytest.mark.parametrize("driver", [drive_after, drive_walk], ids=["chosen", "walk"])
def test_a_reviewer_approves_twenty_and_returns_two(page, live_server, waiting, driver):
    login(page, live_server.url, "carol", PASSWORD)
    started = time.perf_counter()
    clicks = driver(page, live_server.url, waiting)
    seconds = time.perf_counter() - started
    print(f"\n{driver.__name__}: {clicks} clicks, {seconds:.1f} s")  # noqa: T201 (the measure)
    assert decided(waiting) == expected(waiting)
    assert clicks <= AFTER_CLICKS[driver.__name__]
