"""Every record page of an organization reaches the others: one row of tabs, the same on each."""

import pytest
from django.urls import reverse

from tests.factories import FrameworkFactory, PeriodFactory
from tests.factories.records import framework_with_records
from tests.html import page

pytestmark = pytest.mark.django_db

TABS = ["meetings", "calendar", "talks", "dues", "study", "points", "published", "negative"]


@pytest.fixture
def records_period(tree):
    return PeriodFactory(framework=FrameworkFactory(document=framework_with_records()), year=2026)


def pages(org) -> dict[str, str]:
    return {
        "meetings": reverse("records:meeting_list", args=[org.pk]),
        "calendar": f"{reverse('records:calendar')}?org={org.pk}",
        "talks": reverse("records:talk_list", args=[org.pk]),
        "dues": reverse("records:dues_sheet", args=[org.pk]),
        "study": reverse("records:study_list", args=[org.pk]),
        "points": reverse("records:points_ledger", args=[org.pk]),
        "published": reverse("records:points_published", args=[org.pk]),
        "negative": f"{reverse('records:negative_list')}?org={org.pk}",
    }


@pytest.mark.parametrize("section", TABS)
def test_each_record_page_shows_every_tab_with_its_own_marked(
    client_for, alice, tree, records_period, section
):
    urls = pages(tree.a1a)

    shown = page(client_for(alice).get(urls[section]))

    tabs = {tab: shown.attr(f'[data-records-tab="{tab}"]', "href") for tab in TABS}
    assert tabs == urls
    assert shown.attr(f'[data-records-tab="{section}"]', "aria-current") == "page"
    assert shown.count("[data-records-tab][aria-current]") == 1
