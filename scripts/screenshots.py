"""Take the screenshots the user guides show, from a running demo portal.

    make run                      # in one terminal (the demo must be loaded)
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Uses Debian's Chromium through Playwright, like the browser tests. Pages are listed per demo
account; each PNG lands in docs/img/ named after the account and the page.
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

# A path, or "@first-submission": the first submission linked from the page before.
PAGES = {
    "secretary": [("home", "/"), ("submission", "@first-submission")],
    "reviewer": [
        ("home", "/"),
        ("submission", "@first-submission"),
        ("completeness", "/assessment/completeness/"),
        ("tree", "/organizations/"),
        ("frameworks", "/assessment/frameworks/"),
    ],
    "auditor": [("tree", "/organizations/"), ("frameworks", "/assessment/frameworks/")],
    "admin": [
        ("import", "/organizations/import/"),
        ("periods", "/assessment/periods/"),
    ],
}


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
            for name, path in visits:
                if path == "@first-submission":
                    page.locator("a[href*='/assessment/submissions/']").first.click()
                else:
                    page.goto(base + path)
                page.wait_for_load_state("networkidle")
                target = OUT / f"{username}-{name}.png"
                page.screenshot(path=str(target), full_page=False)
                written.append(target)
            context.close()
        browser.close()
    return written


if __name__ == "__main__":
    for path in shoot(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"):
        print(path)
