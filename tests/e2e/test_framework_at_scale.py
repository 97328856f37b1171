"""An administrator changes one rubric of a draft of the shipped framework (142 indicators) and
previews its effect: the points for sample values as the band is typed, then the grades and totals
of last period's scored submissions under the draft.

Measured (issue 17): clicks are counted (a click into a field to type counts as one); the test
asserts the count as an upper bound and prints the seconds. Before the rubric editor the same job
took 8 clicks and about 7 s, editing the rubric as JSON and seeing only the comparison of the two
versions (no points, no effect on grades).
"""

import time

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from assessment import services, tasks
from assessment.models import Submission
from assessment.scoring.spec import load_file
from assessment.services import trials
from tests.builders import recompute, store
from tests.factories import PASSWORD, FrameworkFactory, PeriodFactory

from .conftest import login, post_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CLICKS_AFTER = 7


class Clicks:
    """Clicks counted as the user makes them."""

    def __init__(self, page) -> None:
        self.page, self.count = page, 0

    def click(self, locator) -> None:
        self.count += 1
        locator.click()

    def follow(self, locator) -> None:
        """A click that loads a new page."""
        self.count += 1
        post_and_wait(self.page, locator)


@pytest.fixture
def last_period(tree):
    """The shipped framework, published, and a scored period of it in which the tree's branches
    reported dues collection (C2.02) of 97, 99 and 100 %."""
    framework = FrameworkFactory(
        document=load_file(settings.BASE_DIR / "assessment" / "data" / "framework.yaml")
    )
    period = PeriodFactory(framework=framework)
    branches = Submission.objects.filter(period=period, subject_kind="branch").order_by("pk")
    dues = dict(zip([s.organization_id for s in branches], ("97", "99", "100"), strict=False))
    store(period, {org: {"C2.02": value} for org, value in dues.items()}, at=timezone.now())
    recompute(period)
    return framework


def test_an_administrator_changes_a_band_and_previews_its_effect(
    page, live_server, erin, last_period
):
    login(page, live_server.url, "erin", PASSWORD)
    page.goto(f"{live_server.url}/assessment/frameworks/")
    clicks = Clicks(page)
    started = time.monotonic()

    clicks.follow(page.locator(f'a[href="/assessment/frameworks/{last_period.pk}/"]').first)
    clicks.follow(page.get_by_role("link", name="复制"))
    clicks.click(page.locator("input[name=version]"))
    page.keyboard.type("2027")
    clicks.follow(page.get_by_role("button", name="创建草稿"))
    clicks.follow(page.locator('[id="indicator-C2.02"] a[href*="/edit/"]'))

    # The second band starts at 98 %: lowered to 96 %, the preview shows 97 % earning 80 %.
    preview = page.locator("#rubric-preview-table")
    expect(preview).to_contain_text("98")
    clicks.click(page.locator("input[name='rubric-band_1_limit']"))
    page.keyboard.press("Control+A")
    page.keyboard.type("96")
    expect(preview.locator("tbody tr").nth(1)).to_contain_text("96")
    expect(preview.locator("tbody tr").nth(1)).to_contain_text("1.60 / 2")

    clicks.follow(page.locator("button[name=then][value=trial]"))  # save and try on last period
    expect(page.locator("#trial-summary")).to_be_visible()
    seconds = time.monotonic() - started

    assert page.locator("[data-totals-changed]").get_attribute("data-totals-changed") == "1"
    assert clicks.count <= CLICKS_AFTER
    print(f"\nafter: {clicks.count} clicks, {seconds:.1f} s")  # noqa: T201 (the measure, with -s)


def test_the_trial_page_follows_the_worker_until_the_results_are_in(
    page, live_server, erin, last_period, monkeypatch
):
    """The request only queues the trial; the page polls until a worker has stored the result."""
    draft = services.clone_framework(last_period, version="2027")
    sent = []
    monkeypatch.setattr(tasks.try_draft, "apply_async", lambda *a, **k: sent.append(k["args"]))
    login(page, live_server.url, "erin", PASSWORD)

    page.goto(f"{live_server.url}/assessment/frameworks/{draft.pk}/trial/")
    assert not sent  # the page offers the trial; only its button starts one
    page.locator("#start-trial").click()
    expect(page.locator('#trial-results[data-status="queued"]')).to_be_visible()
    assert not page.locator("#trial-summary").count()

    trials.run(*sent[0])  # the worker takes it
    expect(page.locator("#trial-summary")).to_be_visible()
    expect(page.locator('#trial-results[data-status="done"]')).to_be_visible()
