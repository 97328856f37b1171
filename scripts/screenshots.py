"""Take the screenshots the user guides show, from a running demo portal.

    make run                      # in one terminal (the demo must be loaded)
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Uses Debian's Chromium through Playwright, like the browser tests. Pages are listed per demo
account; each PNG lands in docs/img/ named after the role and the page.
"""

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
]
OUT = Path(__file__).resolve().parent.parent / "docs" / "img"

# What to do before the shot: a path to open; "@first-submission" (the first submission linked
# from the page before); "@click:<selector>" (follow the first link matching it); or
# "@explain" (open the explanation panel of the first score on the page).
# Each account's shots are (file name, step); file names start with the role shown.
PAGES = {
    "secretary": [
        ("secretary-home", "/"),
        ("secretary-submission", "@first-submission"),
        ("secretary-dashboard", "/dashboards/"),
    ],
    "secretary2": [
        ("secretary-rectification", "/rectification/?state="),  # every state: theirs are closed
        ("secretary-rectification", "@click:a[href*='/rectification/rectifications/']"),
    ],
    "reviewer": [
        ("reviewer-home", "/"),
        ("reviewer-submission", "@first-submission"),
        ("reviewer-completeness", "/assessment/completeness/"),
        ("reviewer-tree", "/organizations/"),
        ("reviewer-frameworks", "/assessment/frameworks/"),
        ("reviewer-dashboard", "/dashboards/"),
        ("reviewer-explain", "@explain"),
        ("reviewer-effectiveness", "@click:a[href*='/effectiveness/']"),
        ("reviewer-rectification", "/rectification/?state=closure_requested"),
    ],
    "auditor": [
        ("auditor-dashboard", "/"),
        ("auditor-tree", "/organizations/"),
        ("auditor-frameworks", "/assessment/frameworks/"),
        ("auditor-report", "/reports/1/"),  # the demo's term report
        ("auditor-audit", "/audit/"),
    ],
    "admin": [
        ("admin-import", "/organizations/import/"),
        ("admin-periods", "/assessment/periods/"),
        ("admin-schedules", "/reports/schedules/"),
    ],
}


def _step(page, base: str, step: str) -> None:
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
    else:
        page.goto(base + step)
    page.wait_for_load_state("networkidle")


def shoot(base: str, pages: dict[str, list[tuple[str, str]]] = PAGES) -> list[Path]:
    OUT.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for username, visits in pages.items():
            context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.locator("form button").last.click()
            page.wait_for_load_state("networkidle")
            for name, step in visits:
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
