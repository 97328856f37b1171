"""Content-Security-Policy: every HTML page sends one that refuses inline script, and no template
holds inline script, an inline event handler or a javascript: URL (they would be refused).
The other security headers are checked here too."""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.builders import build_scored

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# Rendered to PDF by WeasyPrint, never served to a browser.
NOT_SERVED = {"reports/templates/reports/pdf"}


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def assert_strict(response, url: str) -> None:
    directives = policy(response)
    assert directives, f"{url} sends no Content-Security-Policy"
    assert directives["script-src"] == ["'self'"], url
    assert directives["style-src"] == ["'self'"], url
    assert directives["object-src"] == ["'none'"], url
    assert directives["frame-ancestors"] == ["'none'"], url


def plain_routes(patterns=None, prefix: str = "") -> list[str]:
    """Every route of the project without parameters, as a path."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += plain_routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern) and not re.search(r"[<(\\^$?*]", route):
            found.append("/" + prefix + route)
    return found


def test_every_html_page_without_parameters_sends_the_policy(client_for, erin, tree):
    client = client_for(erin)
    html = 0
    for url in plain_routes():
        response = client.get(url)
        if response.get("Content-Type", "").startswith("text/html"):
            html += 1
            assert_strict(response, url)
    assert html > 20


def test_pages_with_objects_and_anonymous_pages_send_it_too(client, client_for, erin, tree):
    build_scored(tree, erin)
    assert_strict(client.get(reverse("login")), "login")
    signed_in = client_for(erin)
    for url in (
        reverse("dashboards:organization", args=[tree.group.pk]),
        reverse("dashboards:effectiveness", args=[tree.group.pk]),
        reverse("organizations:detail", args=[tree.a1.pk]),
        reverse("api-docs"),
    ):
        response = signed_in.get(url)
        assert response.status_code == 200, url
        assert_strict(response, url)


def templates() -> list[Path]:
    return [
        path
        for directory in TEMPLATE_DIRS
        for path in directory.rglob("*.html")
        if not any(part in str(path.relative_to(ROOT)) for part in NOT_SERVED)
    ]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)
HTMX_ON = re.compile(r"\shx-on", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("inline <script>", INLINE_SCRIPT),
        ("inline event handler", EVENT_HANDLER),
        ("javascript: URL", JAVASCRIPT_URL),
        ("hx-on attribute", HTMX_ON),
        ("<style> element", STYLE_ELEMENT),
    ],
)
def test_no_template_holds_what_the_policy_refuses(name, pattern):
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)[:60]}"
        for path in templates()
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert len(templates()) > 50
    assert found == [], f"{name} in templates"


def test_pages_send_the_other_security_headers(client):
    response = client.get(reverse("login"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
