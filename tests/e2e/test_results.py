"""Results decided in a real browser: a reviewer confirms seven-good titles within the quota
and withholds one with a reason; the committee confirms a branch's stars."""

import pytest
from playwright.sync_api import expect

from standards.models import StarRating, Title
from tests.builders import recompute, store
from tests.factories import PASSWORD, FrameworkFactory, PeriodFactory
from tests.standards.framework import standards_framework

from .conftest import login, post_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GOOD = {"C1.01": 10, "C1.02": True, "C1.03": 100, "C1.09": False}


@pytest.fixture
def proposed(live_server, tree, carol):
    """A scored year: both of committee A's branches meet the standard and earn stars; B1 too."""
    period = PeriodFactory(framework=FrameworkFactory(document=standards_framework()), year=2026)
    store(period, {tree.a1a: GOOD, tree.a1b: {**GOOD, "C1.01": 9}, tree.b1: GOOD})
    recompute(period)  # the proposals follow the scores
    return period


def test_a_reviewer_confirms_titles_within_the_quota(page, live_server, proposed, tree):
    login(page, live_server.url, "carol", PASSWORD)
    page.goto(f"{live_server.url}/standards/titles/")
    rows = page.locator("tr[data-title]")
    expect(rows).to_have_count(2)  # A's two branches; B1 is not carol's
    first = page.locator(f"tr[data-title='{_title(tree.a1a).pk}']")
    post_and_wait(page, first.get_by_role("button", name="确认"))
    assert _title(tree.a1a).state == "confirmed"

    # The committee's quota (half of its two branches) is used: the second is refused.
    second = page.locator(f"tr[data-title='{_title(tree.a1b).pk}']")
    post_and_wait(page, second.get_by_role("button", name="确认"))
    expect(page.get_by_text("名额", exact=False).first).to_be_visible()
    assert _title(tree.a1b).state == "proposed"

    # Withheld instead, with the reason.
    page.goto(f"{live_server.url}/standards/titles/{_title(tree.a1b).pk}/")
    page.get_by_label("暂缓授予称号").check()
    page.fill("textarea[name=reason]", "名额已满，明年优先考虑")
    post_and_wait(page, page.get_by_role("button", name="保存审定结果"))
    withheld = _title(tree.a1b)
    assert (withheld.state, withheld.reason) == ("withheld", "名额已满，明年优先考虑")

    page.goto(f"{live_server.url}/standards/honours/")
    expect(page.locator("main")).to_contain_text(tree.a1a.name)
    expect(page.locator("main")).not_to_contain_text(tree.a1b.name)


def test_the_committee_confirms_a_branchs_stars(page, live_server, proposed, tree):
    rating = StarRating.objects.get(period=proposed, organization=tree.a1b)
    login(page, live_server.url, "carol", PASSWORD)
    page.goto(f"{live_server.url}/standards/stars/")
    expect(page.locator("main")).to_contain_text(tree.a1b.name)
    expect(page.locator("main")).not_to_contain_text(tree.b1.name)

    page.goto(f"{live_server.url}/standards/stars/{rating.pk}/")
    expect(page.locator("main")).to_contain_text("标准化")  # the checklist is shown
    page.select_option("select[name=stars]", str(rating.proposed))
    post_and_wait(page, page.get_by_role("button", name="确认"))
    rating.refresh_from_db()
    assert (rating.state, rating.stars, rating.decided_by.username) == (
        "confirmed",
        rating.proposed,
        "carol",
    )


def _title(organization) -> Title:
    return Title.objects.get(organization=organization, subject_kind__in=["branch"])
