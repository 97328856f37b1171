"""Take the screenshots the user guides show, from a running demo portal.

    make run                      # in one terminal (the demo must be loaded)
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Uses Debian's Chromium through Playwright, like the browser tests (install chromium-l10n too for
date fields in Chinese; see BROWSER). Pages are listed per demo account; each PNG lands in
docs/img/ named after the role and the page.
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "partybuild-demo"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",
]
# Date and month fields take Chromium's own language, not the page's: with LANGUAGE set and
# Debian's chromium-l10n installed (its locales/zh-CN.pak) they read 2026/12/07 and 2026年12月;
# without that package they stay mm/dd/yyyy and "December 2026". CHROMIUM names another binary.
BROWSER = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BROWSER_ENV = {**os.environ, "LANGUAGE": "zh_CN"}
OUT = Path(__file__).resolve().parent.parent / "docs" / "img"

# What to do before the shot: a path to open; "@first-submission" (the first submission linked
# from the page before); "@click:<selector>" (follow the first link matching it); "@explain"
# (open the explanation panel of the first score on the page); or "@counted" (open the records
# behind the first value counted from records on a submission page and scroll to it). A step may
# also be a list of steps taken in turn, the shot after the last.
# Each account's shots are (file name, step) or (file name, step, viewport), the viewport a key
# of VIEWPORTS (desktop when not given); file names start with the role shown.
VIEWPORTS = {
    "desktop": {"width": 1366, "height": 900},
    "laptop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
# The header's menus (issue 17): one line at 1280 px, a menu open; on a phone, the collapse open.
MENU = "@click:#portal-nav a.dropdown-toggle:has-text('{}')"
PAGES = {
    "secretary": [
        ("secretary-home", "/"),
        ("secretary-header-phone", ["/", "@click:button.navbar-toggler"], "phone"),
        ("secretary-submission", "@first-submission"),
        # The entry form with its section index (issue 17), on a laptop and on a phone.
        ("secretary-entry", "@first-submission"),
        ("secretary-entry-phone", "@first-submission", "phone"),
        ("secretary-dashboard", "/dashboards/"),
        # Records of party life (the secretary's own branch).
        ("secretary-meetings", "/records/meetings/"),
        ("secretary-meeting-form", "@click:[data-record-meeting]", "phone"),
        ("secretary-calendar", "/records/calendar/"),
        ("secretary-dues", "@click:[data-records-tab=dues]"),
        ("secretary-points", "@click:[data-records-tab=points]"),
        # Results: the branch's report for the year and its members' appraisal (the open year).
        ("secretary-report", ["/standards/secretary-reports/", "@click:tr[data-report] a"]),
        ("secretary-appraisal", ["/standards/appraisals/", "@click:tr[data-appraisal] a"]),
    ],
    "secretary2": [
        ("secretary-rectification", "/rectification/?state="),  # every state: theirs are closed
        ("secretary-rectification", "@click:a[href*='/rectification/rectifications/']"),
    ],
    "reviewer": [
        ("reviewer-home", "/"),
        ("reviewer-submission", "@first-submission"),
        # The queue of the open year and a submission under review with its bar (issue 17).
        ("reviewer-queue", "/assessment/queue/?period=4"),
        ("reviewer-queue-phone", "/assessment/queue/?period=4", "phone"),
        (
            "reviewer-review-bar",
            ["/assessment/queue/?period=4&subject_kind=branch", "@first-submission"],
        ),
        (
            "reviewer-review-bar-phone",
            ["/assessment/queue/?period=4&subject_kind=branch", "@first-submission"],
            "phone",
        ),
        ("reviewer-completeness", "/assessment/completeness/"),
        ("reviewer-tree", "/organizations/"),
        ("reviewer-frameworks", "/assessment/frameworks/"),
        ("reviewer-dashboard", "/dashboards/"),
        ("reviewer-explain", "@explain"),
        ("reviewer-effectiveness", "@click:a[href*='/effectiveness/']"),
        # The same page from its scatters down (the group's page: organization 1 in the demo).
        (
            "reviewer-effectiveness-scatter",
            "/dashboards/organizations/1/effectiveness/#scatter-heading",
        ),
        ("reviewer-rectification", "/rectification/?state=closure_requested"),
        ("reviewer-calendar", "/records/calendar/"),
        (  # a branch's submission of the demo's open year (period 4), counted from records
            "reviewer-counted",
            ["/assessment/queue/?period=4&subject_kind=branch", "@first-submission", "@counted"],
        ),
        ("reviewer-titles", "/standards/titles/"),
        ("reviewer-title", "@click:tr[data-title] a[data-subject]"),
        ("reviewer-terms", "/standards/terms/"),
    ],
    "committee": [  # the first committee's reviewers: its branches' stars and appraisals
        ("committee-stars", "/standards/stars/"),
        ("committee-star", "@click:tr[data-rating] a[href*='/standards/stars/']"),
        ("committee-appraisal", ["/standards/appraisals/", "@click:tr[data-appraisal] a"]),
    ],
    "finance": [  # the group's business figures (the demo's closed year 2025)
        ("finance-figures", "/business/?year=2025"),
        (
            "finance-enter",
            ["@click:a[href*='/business/organizations/']", "@click:a[href*='/enter/']"],
        ),
    ],
    "inspector": [
        ("inspector-negative", "/records/negative-events/"),
        (
            "inspector-negative-event",
            "@click:tr:has([data-severity=serious]) a[href*='/negative-events/']",
        ),
    ],
    "auditor": [
        ("auditor-dashboard", "/"),
        ("auditor-tree", "/organizations/"),
        ("auditor-frameworks", "/assessment/frameworks/"),
        ("auditor-report", "/reports/1/"),  # the demo's term report
        ("auditor-audit", "/audit/"),
        ("auditor-honours", "/standards/honours/?period=3"),  # the demo's last closed year
        ("auditor-export", "/standards/export/"),
    ],
    # The rubric editor and a draft's trial (admin-rubric-editor*, admin-framework-trial*) need a
    # draft framework, which the demo has not: clone the published one first, then shoot them.
    "admin": [
        ("admin-header", ["/", MENU.format("管理")], "laptop"),
        ("admin-tokens", "/accounts/tokens/"),
        ("admin-import", "/organizations/import/"),
        ("admin-periods", "/assessment/periods/"),
        ("admin-schedules", "/reports/schedules/"),
    ],
}

# "@counted": the first value counted from records with a short list of records behind it (one
# that fits on the screen), the list opened and the indicator scrolled near the top.
COUNTED = """() => {
  const rows = [...document.querySelectorAll(".entry-row")].filter(
    (row) => row.offsetParent !== null && row.querySelector("[data-counted] details[data-records]")
  );
  const short = rows.find((row) => {
    const n = row.querySelectorAll("details[data-records] li").length;
    return n >= 2 && n <= 6;
  });
  const row = short || rows[0];
  row.querySelector("details[data-records]").open = true;
  window.scrollTo(0, row.getBoundingClientRect().top + window.scrollY - 240);
}"""


def _step(page, base: str, step: str | list[str]) -> None:
    if isinstance(step, list):
        for one in step:
            _step(page, base, one)
        return
    if step == "@first-submission":
        page.locator("a[href*='/assessment/submissions/']").first.click()
    elif step.startswith("@click:"):
        page.keyboard.press("Escape")  # close a panel left open by the step before
        page.wait_for_timeout(400)
        page.locator(step.removeprefix("@click:")).first.click()
    elif step == "@explain":
        page.locator("[data-explain-url]").first.click()
        page.locator("#explain-panel").wait_for(state="visible")
        page.wait_for_timeout(500)  # the panel slides in
    elif step == "@counted":
        page.evaluate(COUNTED)
        page.wait_for_timeout(300)
    else:
        page.goto(base + step)
    page.wait_for_load_state("networkidle")


def shoot(base: str, pages: dict[str, list[tuple]] = PAGES) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER, args=FLAGS, env=BROWSER_ENV)
        for username, visits in pages.items():
            context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS["desktop"])
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button").last.click()
            page.wait_for_load_state("networkidle")
            for name, step, *viewport in visits:
                page.set_viewport_size(VIEWPORTS[viewport[0] if viewport else "desktop"])
                _step(page, base, step)
                page.wait_for_timeout(300)  # charts finish their animation
                target = OUT / f"{name}.png"
                page.screenshot(path=str(target), full_page=False)
                if target not in written:
                    written.append(target)
            context.close()
        browser.close()
    return written


if __name__ == "__main__":
    for path in shoot(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"):
        print(path)
