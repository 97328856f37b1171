"""The header in a real browser: one line at 1280 px for every role in both languages, and on a
phone the tools (notices, the user menu, sign-out) in view and the menu opening."""

import pytest
from playwright.sync_api import expect

from organizations.services import assign_role
from tests.builders import build_tree
from tests.factories import PASSWORD, UserFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Each role where the demo holds it; "admin" is the demo's superuser, who sees every item.
ROLES = {
    "secretary": ("secretary", "a1a"),
    "reviewer": ("reviewer", "group"),
    "committee": ("reviewer", "a"),
    "auditor": ("auditor", "group"),
    "inspector": ("inspector", "group"),
    "finance": ("finance", "group"),
    "admin": ("administrator", "group"),
}

# The brand bar's own height on one line (about 57 px with its gold rule); two lines are ~95 px.
ONE_LINE_PX = 70

MEASURE = """() => {
  const nav = document.querySelector('nav.portal-brandbar');
  const box = nav.getBoundingClientRect();
  const shown = [...nav.querySelectorAll(
      '.navbar-brand, .navbar-nav > .nav-item, .portal-navtools > *, .navbar-toggler')]
    .filter(e => e.offsetParent !== null);
  const outside = shown
    .filter(e => {
      const r = e.getBoundingClientRect();
      return r.right > window.innerWidth + 0.5 || r.left < -0.5 || r.bottom > box.bottom + 0.5;
    })
    .map(e => e.textContent.trim().replace(/\\s+/g, ' '));
  return {height: Math.round(box.height), outside};
}"""


@pytest.fixture
def users(db):
    tree = build_tree()
    made = {}
    for username, (role, where) in ROLES.items():
        user = UserFactory(username=username, is_staff=username == "admin")
        user.is_superuser = username == "admin"
        user.save()
        assign_role(user=user, organization=getattr(tree, where), role=role)
        made[username] = user
    return made


def _signed_in(browser, live_server, username: str, *, width: int, height: int, language: str):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    login(page, live_server.url, username, PASSWORD)
    if language == "en":
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/organizations/")
    return context, page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_header_is_one_line_at_1280_px_for_every_role(browser, live_server, users, language):
    heights = {}
    for username in ROLES:
        context, page = _signed_in(
            browser, live_server, username, width=1280, height=800, language=language
        )
        try:
            expect(page.locator("html")).to_have_attribute("lang", language)
            measured = page.evaluate(MEASURE)
            heights[username] = measured["height"]
            assert measured["outside"] == [], (username, language, measured)
            assert measured["height"] <= ONE_LINE_PX, (username, language, measured)
            expect(page.locator("nav [data-nav=notices]")).to_be_visible()
            expect(page.locator('nav form[action="/accounts/logout/"] button')).to_be_visible()
            expect(page.locator("nav .portal-user .dropdown-toggle")).to_be_visible()
        finally:
            context.close()
    # One height for all: no role's items push the bar onto a second line.
    assert len(set(heights.values())) == 1, heights


def test_on_a_phone_the_tools_stay_in_view_and_the_menu_opens(browser, live_server, users):
    for language in ("zh-hans", "en"):
        context, page = _signed_in(
            browser, live_server, "admin", width=390, height=844, language=language
        )
        try:
            assert page.evaluate(MEASURE)["outside"] == []
            expect(page.locator("nav [data-nav=notices]")).to_be_visible()
            expect(page.locator('nav form[action="/accounts/logout/"] button')).to_be_visible()
            menu = page.locator("#portal-nav")
            expect(menu).to_be_hidden()
            page.locator("nav .navbar-toggler").click()
            expect(menu).to_be_visible()
            expect(menu.locator("[data-nav=standards]")).to_be_visible()
            menu.locator("[data-nav=records]").click()
            expect(menu.locator('a[href="/records/meetings/"]')).to_be_visible()
        finally:
            context.close()


# A cell's own text (not its row's height) in lines; a one-word value of up to ten characters
# must not take more than three, which a column squeezed to a character or two does.
CELL_LINES = """() => {
  const squeezed = [];
  for (const cell of document.querySelectorAll('main table td, main table th')) {
    const text = cell.innerText.trim();
    if (cell.offsetParent === null || !text || /\\s/.test(text) || text.length > 10) continue;
    // Only the text shown: a closed <details> keeps boxes for its hidden content.
    const tops = new Set();
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.parentElement.checkVisibility()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
    }
    if (tops.size > 3) squeezed.push(`${text} (${tops.size} lines)`);
  }
  return squeezed;
}"""

PHONE_PAGES = [
    "/rectification/",
    "/records/negative-events/",
    "/standards/stars/",
    "/standards/appraisals/",
    "/standards/follow-ups/",
    "/standards/terms/",
    "/business/measures/",
    "/audit/",
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_no_table_cell_wraps_a_word_one_character_per_line(page, live_server):
    from django.conf import settings
    from django.core.management import call_command

    call_command("seed_demo", scale=0.05, verbosity=0)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, "admin", settings.DEMO_PASSWORD)
    for path in PHONE_PAGES:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("main table").count(), path
        assert page.evaluate(CELL_LINES) == [], path
