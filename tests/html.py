"""Parsed pages for tests: assert where a page shows something, not that a string is in it.

A substring test passes when the text sits in a script, an attribute or the wrong cell; these
helpers parse the response (BeautifulSoup, CSS selectors through soupsieve) so a test names the
place: ``page(response).text("h1") == "A1a"``, ``page(response).field("v-C1.01")``.

Text is compared as a browser shows it: entities decoded, runs of white space collapsed to one
space, and nothing from ``<script>`` or ``<style>``.
"""

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from django.http import HttpResponse

_SPACE = re.compile(r"\s+")
_HIDDEN = ("script", "style")
_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "details", "div", "fieldset", "figure"}
    | {"footer", "form", "header", "main", "nav", "p", "pre", "section", "summary", "br", "hr"}
    | {"dd", "dl", "dt", "li", "ol", "ul", "table", "tbody", "td", "tfoot", "th", "thead", "tr"}
    | {f"h{level}" for level in range(1, 7)}
)
_URL_ATTRIBUTES = ("href", "action", "formaction", "src", "hx-get", "hx-post")
_SHOWN = 600  # characters of a page or an element quoted in a failure message


def normalise(text: str) -> str:
    """White space as a browser renders it: runs collapsed to one space, none at the ends."""
    return _SPACE.sub(" ", text).strip()


def text_of(element: Tag) -> str:
    """The visible text of an element, normalised; comments and the insides of scripts and
    styles below it left out (a script or style asked for itself gives its source)."""
    if element.name in _HIDDEN:
        return normalise(element.get_text())
    return normalise("".join(_shown_strings(element)))


def _shown_strings(element: Tag) -> list[str]:
    shown = []
    for child in element.children:
        if isinstance(child, Tag):
            if child.name in _HIDDEN:
                continue
            # A block starts on its own line: its text never runs into its neighbours'.
            gap = [" "] if child.name in _BLOCKS else []
            shown.extend([*gap, *_shown_strings(child), *gap])
        elif type(child) is NavigableString:
            shown.append(str(child))
    return shown


def _quote(elements: list[Tag]) -> str:
    return "\n".join(str(element)[:_SHOWN] for element in elements)


class Page:
    """A parsed page, or a part of one (``within``), queried by CSS selectors."""

    def __init__(self, root: Tag) -> None:
        self.root = root

    def select(self, css: str) -> list[Tag]:
        """Every element matching ``css``, in document order."""
        return list(self.root.select(css))

    def has(self, css: str) -> bool:
        return self.root.select_one(css) is not None

    def count(self, css: str) -> int:
        return len(self.select(css))

    def one(self, css: str) -> Tag:
        """The one element matching ``css``; fails saying what was found if not exactly one."""
        found = self.select(css)
        if len(found) == 1:
            return found[0]
        if not found:
            raise AssertionError(
                f"no element matches {css!r}; the page reads: {self.text()[:_SHOWN]!r}"
            )
        raise AssertionError(
            f"{len(found)} elements match {css!r}, expected exactly one:\n{_quote(found)}"
        )

    def within(self, css: str) -> "Page":
        """The part of the page inside the one element matching ``css``."""
        return Page(self.one(css))

    def text(self, css: str | None = None) -> str:
        """The visible text of the one match of ``css``, or of the whole page without it."""
        return text_of(self.root if css is None else self.one(css))

    def texts(self, css: str) -> list[str]:
        """The visible text of every match of ``css``, in document order."""
        return [text_of(element) for element in self.select(css)]

    def attr(self, css: str, name: str) -> str:
        """An attribute of the one match of ``css`` (fails if the element lacks it)."""
        element = self.one(css)
        value = element.get(name)
        if value is None:
            raise AssertionError(f"{css!r} has no attribute {name!r}: {str(element)[:_SHOWN]}")
        return value if isinstance(value, str) else " ".join(value)

    def field(self, name: str) -> Tag:
        """The one element (an input, select, textarea or button) named ``name``."""
        return self.one(_named(name))

    def has_field(self, name: str) -> bool:
        """Whether any element is named ``name``."""
        return self.has(_named(name))

    def field_errors(self, name: str) -> list[str]:
        """The errors shown beside the field named ``name``: the ``.invalid-feedback`` texts in
        the element that holds it (its label, the field and its error, as our forms lay them)."""
        return [text_of(error) for error in self.field(name).parent.select(".invalid-feedback")]

    def link(self, href: str) -> Tag:
        """The one link to ``href``."""
        return self.one(f'a[href="{_escape(href)}"]')

    def links(self, href: str) -> list[Tag]:
        """Every link to ``href``."""
        return self.select(f'a[href="{_escape(href)}"]')

    def mentions(self, text: str) -> bool:
        """Whether ``text`` is anywhere a reader or a script could get it: the visible text, any
        attribute, any script (for "must not leak" checks, stricter than the visible text)."""
        if text in self.text() or any(
            text in script.get_text() for script in self.select("script")
        ):
            return True
        return any(
            text in (value if isinstance(value, str) else " ".join(value))
            for element in [self.root, *self.root.find_all(True)]
            for value in getattr(element, "attrs", {}).values()
        )

    def refers_to(self, url: str) -> bool:
        """Whether any link, form, button or htmx request goes to ``url``."""
        value = _escape(url)
        return self.has(", ".join(f'[{name}="{value}"]' for name in _URL_ATTRIBUTES))

    def form(self, action: str) -> Tag:
        """The one form posting to ``action``."""
        return self.one(f'form[action="{_escape(action)}"]')

    def rows(self, css: str = "table") -> list[list[str]]:
        """The rows of the one table, table section or row matching ``css``, as lists of cell
        texts."""
        found = self.one(css)
        table = found if found.name == "table" else found.find_parent("table")
        rows = [found] if found.name == "tr" else found.find_all("tr")
        return [
            [text_of(cell) for cell in row.find_all(["th", "td"], recursive=False)]
            for row in rows
            if row.find_parent("table") is table  # not the rows of a table nested in a cell
        ]

    def messages(self) -> list[str]:
        """The flash messages shown at the top of the page (``partials/messages.html``)."""
        return self.texts(".portal-messages .alert")

    def __str__(self) -> str:
        return str(self.root)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _named(name: str) -> str:
    return f'[name="{_escape(name)}"]'


def parse(html: str) -> Page:
    """A page parsed from markup (a whole document or an htmx fragment)."""
    return Page(BeautifulSoup(html, "html.parser"))


def page(response: HttpResponse) -> Page:
    """The page a Django test response carries, parsed."""
    content_type = response.get("Content-Type", "")
    assert content_type.startswith("text/html"), f"not a page: {content_type!r}"
    return parse(response.content.decode(response.charset or "utf-8"))
