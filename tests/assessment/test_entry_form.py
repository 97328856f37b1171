"""The secretary's entry form at scale (issue 17): the section index with its counts, the missing
list as links, plausibility warnings that say what they compare with, copying last period's
values (marked until confirmed), and evidence uploads that leave the typed values alone.

Alice is the secretary of branch A1a, carol reviews it from committee A (see the conftest).
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assessment.models import Evidence, IndicatorValue
from assessment.selectors import engine_framework
from assessment.services import copy_values, submissions
from assessment.validation import quality_flags, short_number
from tests.factories import PeriodFactory
from tests.html import page

from .test_entry_views import (
    PDF,
    action_url,
    attach_pdf,
    entry_row,
    fill_and_submit,
    form,
    fresh,
    page_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def approved_years(published_framework, tree, alice, carol):
    """A1a's submissions of 2023–2025, approved with C1.01 = 10 and C2.01 = yes."""
    for year in (2023, 2024, 2025):
        earlier = PeriodFactory(framework=published_framework, year=year).submissions.get(
            organization=tree.a1a
        )
        fill_and_submit(earlier, alice)
        submissions.approve(fresh(earlier), acting_user=carol)


def indicator(submission, code):
    return engine_framework(submission.period.framework).indicator(code)


# -- the section index --------------------------------------------------------------------------


def test_the_index_lists_the_top_dimensions_with_filled_and_required_counts(
    submission, alice, client_for, en
):
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=alice)
    shown = page(client_for(alice).get(page_url(submission)))
    index = shown.within("[data-entry-index]")
    assert index.texts("[data-section-link]") == ["Ideological 1/1", "Organizational 0/1"]
    assert index.text("[data-count-total]") == "1 / 2"
    # Each entry jumps to its section's card; the counts follow the rows the script reads.
    assert index.attr("[data-section-link='C2']", "href") == "#dim-2"
    assert shown.has("#dim-2")
    assert shown.attr(".entry-row[data-code='C2.01']", "data-evidence-required") == ""


def test_a_value_without_its_required_evidence_is_not_filled(submission, alice, client_for, en):
    submissions.save_values(submission, {"C2.01": "yes"}, version=1, acting_user=alice)
    shown = page(client_for(alice).get(page_url(submission)))
    assert shown.text("[data-section-count='C2']") == "0/1"
    assert shown.has("#ev-ind-1 [data-evidence-missing]")
    attach_pdf(fresh(submission), "C2.01", alice)
    shown = page(client_for(alice).get(page_url(submission)))
    assert shown.text("[data-section-count='C2']") == "1/1"


def test_a_failed_submit_lists_what_is_missing_as_links_to_the_fields(
    submission, alice, client_for, en
):
    response = client_for(alice).post(
        action_url(submission, "submit"), form(submission, **{"C2.01": "yes"})
    )
    assert response.status_code == 400
    missing = page(response).within("[data-missing]")
    links = {a.get_text(strip=True): a["href"] for a in missing.select("a")}
    assert links == {
        "C1.01 Study sessions: no value": "#ind-0-v",
        "C2.01 Committee meetings held: evidence required": "#ind-1-file",
    }
    shown = page(response)
    assert shown.has("#ind-0-v")
    assert shown.has("#ind-1-file")


def test_the_page_links_its_script_and_style_without_inline_script(submission, alice, client_for):
    html = client_for(alice).get(page_url(submission)).content.decode()
    assert 'src="/static/js/entry.js" defer' in html
    assert 'href="/static/css/entry.css"' in html


# -- plausibility warnings ----------------------------------------------------------------------


def test_a_value_at_its_target_raises_no_warning(submission):
    c101 = indicator(submission, "C1.01")  # target 12
    assert quality_flags(c101, 12, [30.0, 34.0, 36.0]) == []
    assert quality_flags(c101, 12.0, [30.0, 34.0, 36.0]) == []


def test_a_warning_names_what_it_compares_with_and_rounds_the_average(submission, en):
    c101 = indicator(submission, "C1.01")
    with translation.override("en"):  # outside a request: the language is the test's to set
        flags = quality_flags(c101, 500, [28.0, 30.0, 34.0, 36.0], ["2022", "2023", "2024", "2025"])
        assert flags == [
            "Far from this unit's earlier values (2023: 30, 2024: 34, 2025: 36; average 32)."
        ]
        flags = quality_flags(c101, 500, [30.0, 34.0, 36.0])
        assert flags == ["Far from this unit's earlier values (30, 34, 36; average 33.3)."]


@pytest.mark.parametrize(
    ("x", "shown"), [(33.3333, "33.3"), (12.0, "12"), (0.4567, "0.46"), (0, "0"), (-2.25, "-2.2")]
)
def test_numbers_in_warnings_have_a_sensible_number_of_digits(x, shown):
    assert short_number(x) == shown


# -- copying last period's values ---------------------------------------------------------------


def test_the_copy_button_offers_the_blank_values_last_period_had(
    approved_years, submission, alice, client_for, en
):
    shown = page(client_for(alice).get(page_url(submission)))
    assert shown.text("[data-copy-last]") == "Copy last period's values (2)"
    submissions.save_values(submission, {"C1.01": "7"}, version=1, acting_user=alice)
    shown = page(client_for(alice).get(page_url(submission)))
    assert shown.text("[data-copy-last]") == "Copy last period's value (1)"


def test_no_copy_button_without_an_approved_earlier_period(submission, alice, client_for, en):
    assert not page(client_for(alice).get(page_url(submission))).has("[data-copy-last]")


def test_copying_fills_blank_values_marks_them_and_keeps_what_was_typed(
    approved_years, submission, alice, client_for, en
):
    response = client_for(alice).post(
        action_url(submission, "copy"), form(submission, **{"C1.01": "11"})
    )
    assert response.status_code == 302
    values = {
        row.indicator.code: (row.value, row.copied)
        for row in IndicatorValue.objects.filter(submission=submission)
    }
    assert values == {"C1.01": (11, False), "C2.01": (True, True)}
    shown = page(client_for(alice).get(page_url(submission)))
    assert entry_row(shown, "C2.01").has("[data-copied] input[name='ok-C2.01']")
    assert not entry_row(shown, "C1.01").has("[data-copied]")
    assert shown.texts("[data-copied-list] li") == ["C2.01 Committee meetings held"]
    assert fresh(submission).changes.filter(indicator__code="C2.01").count() == 1  # history kept


def test_a_copied_value_blocks_submitting_until_it_is_confirmed(
    approved_years, submission, alice, client_for, en
):
    copy_values.copy_last_values(submission, version=1, acting_user=alice)
    attach_pdf(fresh(submission), "C2.01", alice)
    response = client_for(alice).post(action_url(submission, "submit"), {"version": 2})
    assert response.status_code == 400
    missing = page(response).texts("[data-missing] li")
    assert missing == [
        "C1.01 Study sessions: copied from the last period, not confirmed yet",
        "C2.01 Committee meetings held: copied from the last period, not confirmed yet",
    ]
    assert fresh(submission).state == "draft"

    # Confirming one and changing the other clears both marks; then it submits.
    response = client_for(alice).post(
        action_url(submission, "submit"),
        {**form(fresh(submission), **{"C1.01": "12", "C2.01": "yes"}), "ok-C2.01": "1"},
    )
    assert response.status_code == 302
    assert not IndicatorValue.objects.filter(submission=submission, copied=True).exists()
    assert fresh(submission).state == "submitted"


def test_saving_a_copied_value_unchanged_and_unconfirmed_keeps_its_mark(
    approved_years, submission, alice, client_for
):
    copy_values.copy_last_values(submission, version=1, acting_user=alice)
    client_for(alice).post(
        action_url(submission, "save"), form(fresh(submission), **{"C1.01": "10"})
    )
    assert set(copy_values.copied_values(submission)) == {"C1.01", "C2.01"}


# -- evidence -----------------------------------------------------------------------------------


def upload_url(submission) -> str:
    return reverse("assessment:evidence_upload", args=[submission.pk])


def pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_several_files_are_attached_in_one_upload(submission, alice, client_for, en):
    client_for(alice).post(
        upload_url(submission) + "?row=ind-1",
        {"version": 1, "indicator": "C2.01", "file-C2.01": [pdf("a.pdf"), pdf("b.pdf")]},
    )
    names = sorted(
        Evidence.objects.filter(submission=submission).values_list("original_name", flat=True)
    )
    assert names == ["a.pdf", "b.pdf"]


def test_an_upload_from_the_script_answers_the_rows_evidence_and_saves_nothing_else(
    submission, alice, client_for, en
):
    """The page's script posts only the files: typed values stay in the browser, unsaved, and
    the answer is the row's evidence line to swap in (no redirect, no reload of the form)."""
    response = client_for(alice).post(
        upload_url(submission),
        {"indicator": "C2.01", "file-C2.01": [pdf("a.pdf"), pdf("b.pdf")]},
        headers={"X-Entry-Fetch": "1"},
    )
    assert response.status_code == 200
    fragment = page(response)
    assert fragment.attr("[data-evidence]", "id") == "ev-ind-1"
    assert fragment.attr("[data-evidence]", "data-evidence-count") == "2"
    assert "a.pdf was attached to C2.01." in fragment.texts("[data-evidence-note]")
    assert fresh(submission).version == 1
    assert not IndicatorValue.objects.filter(submission=submission).exists()

    item = Evidence.objects.get(submission=submission, original_name="a.pdf")
    response = client_for(alice).post(
        reverse("assessment:evidence_delete", args=[item.pk]) + "?row=ind-1",
        {},
        headers={"X-Entry-Fetch": "1"},
    )
    assert response.status_code == 200
    assert page(response).attr("[data-evidence]", "data-evidence-count") == "1"


def test_a_refused_file_is_named_in_the_answer(submission, alice, client_for, en):
    bad = SimpleUploadedFile("x.html", b"<html><script>1</script></html>", content_type="text/html")
    response = client_for(alice).post(
        upload_url(submission),
        {"indicator": "C2.01", "file-C2.01": [bad]},
        headers={"X-Entry-Fetch": "1"},
    )
    notes = page(response).texts("[data-evidence-note]")
    assert len(notes) == 1
    assert notes[0].startswith("x.html: ")


def test_the_file_input_takes_several_files_and_offers_the_camera(
    submission, alice, client_for, en
):
    shown = entry_row(page(client_for(alice).get(page_url(submission))), "C2.01")
    picker = shown.one("input#ind-1-file")
    assert picker.has_attr("multiple")
    camera = shown.one("input#ind-1-camera")
    assert camera["accept"] == "image/*,application/pdf"
    assert camera["capture"] == "environment"
