"""The parsed-page helpers (tests/html.py) that page tests assert through."""

import pytest
from django.http import HttpResponse, JsonResponse

from tests.html import normalise, page, parse

DOCUMENT = """<!doctype html>
<html><head><title>Scores · Portal</title>
<script>var secret = "Approved";</script><style>.x::after { content: "Approved" }</style></head>
<body>
  <div class="portal-messages"><div class="alert alert-success">
    Your values were   saved.<button aria-label="Close"></button></div></div>
  <h1 class="h3">Branch&nbsp;A1a &amp; friends</h1>
  <!-- Approved in a comment -->
  <span class="badge" data-state="draft">Draft</span>
  <a href="/a/?x=1&amp;y=2">Next</a> <a href="/b/">B</a> <a href="/b/">B again</a>
  <form action="/save/" method="post">
    <input name="v-C1.01" value="3"><select name="v-C2.01"><option>yes</option></select>
    <button name="action" value="submit">Submit <strong>for review</strong></button>
  </form>
  <table id="ranking"><thead><tr><th>Unit</th><th>Score</th></tr></thead>
    <tbody><tr><td>A1a</td><td><span>90</span>.5</td></tr>
           <tr><td>A1b <table><tr><td>inner</td></tr></table></td><td>80</td></tr></tbody></table>
  <p data-total>20</p><p data-total>30</p>
</body></html>"""


@pytest.fixture
def doc():
    return parse(DOCUMENT)


def test_text_is_what_a_browser_shows(doc):
    assert doc.text("h1") == "Branch A1a & friends"  # &nbsp; reads as a space, &amp; as &
    assert doc.text("button[name=action]") == "Submit for review"
    whole = doc.text()
    assert "Your values were saved." in whole
    assert "Approved" not in whole  # only in a script, a style and a comment
    assert "Scores · Portal" in whole


def test_blocks_do_not_run_into_each_other():
    assert parse("<td>Words<div>{json}</div></td>").text("td") == "Words {json}"
    assert parse("<p>10<strong>%</strong></p>").text("p") == "10%"  # inline stays joined


def test_mentions_looks_in_the_text_the_attributes_and_the_scripts(doc):
    assert doc.mentions("Branch A1a")
    assert doc.mentions("Approved")  # in a script
    assert doc.mentions("y=2")  # in an attribute, entities decoded
    assert doc.mentions("Close")  # an aria-label
    assert not doc.mentions("Rejected")


def test_a_script_asked_for_by_name_gives_its_source(doc):
    assert doc.text("head script") == 'var secret = "Approved";'


def test_normalise_collapses_white_space():
    assert normalise("  a\n\t b  ") == "a b"


def test_one_names_what_it_found_when_not_exactly_one(doc):
    with pytest.raises(AssertionError, match=r"no element matches 'h2'; the page reads: .*Branch"):
        doc.one("h2")
    with pytest.raises(AssertionError, match=r"2 elements match '\[data-total\]'(.|\n)*>30<"):
        doc.one("[data-total]")


def test_texts_count_and_has(doc):
    assert doc.texts("[data-total]") == ["20", "30"]
    assert doc.count("a[href='/b/']") == 2
    assert doc.has("[data-state=draft]")
    assert not doc.has("[data-state=approved]")


def test_attr_reads_one_attribute_and_fails_on_a_missing_one(doc):
    assert doc.attr(".badge", "data-state") == "draft"
    assert doc.attr("h1", "class") == "h3"
    with pytest.raises(AssertionError, match="has no attribute 'title'"):
        doc.attr("h1", "title")


def test_fields_links_and_forms_are_found_by_name_href_and_action(doc):
    assert doc.field("v-C1.01")["value"] == "3"
    assert doc.field("v-C2.01").name == "select"
    assert doc.has_field("action")
    assert not doc.has_field("v-C9")
    assert doc.link("/a/?x=1&y=2").get_text() == "Next"
    assert [a.get_text() for a in doc.links("/b/")] == ["B", "B again"]
    assert doc.form("/save/")["method"] == "post"
    assert doc.refers_to("/save/")
    assert doc.refers_to("/b/")
    assert not doc.refers_to("/c/")


def test_rows_are_lists_of_cell_texts(doc):
    assert doc.rows("#ranking > thead") == [["Unit", "Score"]]
    assert doc.rows("#ranking > tbody")[0] == ["A1a", "90.5"]
    assert doc.rows("#ranking > tbody")[1] == ["A1b inner", "80"]
    assert len(doc.rows("#ranking > tbody")) == 2  # not the row of the table inside a cell
    assert doc.rows("#ranking > tbody > tr:first-child") == [["A1a", "90.5"]]


def test_field_errors_are_those_beside_the_field():
    form = parse(
        '<form><div><label>From</label><input name="start"><div class="invalid-feedback">'
        "Too   early.</div></div>"
        '<div><input name="end"></div><div class="invalid-feedback">Elsewhere.</div></form>'
    )
    assert form.field_errors("start") == ["Too early."]
    assert form.field_errors("end") == []


def test_within_scopes_the_queries_to_one_element(doc):
    form = doc.within("form")
    assert form.has_field("v-C1.01")
    assert not form.has("h1")


def test_messages_are_the_flash_alerts(doc):
    assert doc.messages() == ["Your values were saved."]


def test_page_parses_an_html_response_and_refuses_anything_else():
    parsed = page(HttpResponse("<p>你好</p>".encode(), content_type="text/html; charset=utf-8"))
    assert parsed.text("p") == "你好"
    with pytest.raises(AssertionError, match="not a page"):
        page(JsonResponse({"a": 1}))
