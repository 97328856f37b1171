"""The rubric editor of a draft indicator: a form per kind, the live preview of its points and
the formula checked as it is typed.

The preview and the check go through the framework file's rules and the scoring engine, so the
tests compare what they show with what `score_subject` gives.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import selectors, services, tasks
from assessment.forms.rubrics import RubricForm
from assessment.models import DraftTrial, Framework, Indicator
from assessment.scoring import score_subject
from assessment.scoring.spec import load_file
from assessment.selectors.frameworks import _ENGINE_CACHE
from tests.builders import build_scored
from tests.factories import FrameworkFactory
from tests.html import page

from .test_framework_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_engine_cache():
    _ENGINE_CACHE.clear()
    yield
    _ENGINE_CACHE.clear()


@pytest.fixture
def draft(framework_doc) -> Framework:
    return FrameworkFactory(document=framework_doc, published=False)


@pytest.fixture(scope="module")
def shipped_doc() -> dict:
    return load_file(settings.BASE_DIR / "assessment" / "data" / "framework.yaml")


def indicator(framework: Framework, code: str) -> Indicator:
    return Indicator.objects.get(framework=framework, code=code)


def preview_url(row: Indicator) -> str:
    return reverse("assessment:rubric_preview", args=[row.framework_id, row.pk])


def check_url(row: Indicator) -> str:
    return reverse("assessment:formula_check", args=[row.framework_id, row.pk])


def test_every_kind_of_the_shipped_framework_comes_back_unchanged(shipped_doc):
    """GIVEN the shipped framework (every rubric kind), WHEN each indicator's rubric form is
    posted as shown, THEN it makes exactly the rubric stored: nothing changes by opening it."""
    framework = FrameworkFactory(document=shipped_doc, published=False)
    rows = Indicator.objects.filter(framework=framework)
    kinds = set()
    for row in rows:
        shown = RubricForm(indicator=row, framework=framework)
        data = {
            shown.add_prefix(name): "" if value is None else value
            for name in shown.fields
            if (value := shown.initial.get(name)) is not None or True
        }
        posted = RubricForm(data, indicator=row, framework=framework)
        assert posted.is_valid(), (row.code, posted.errors)
        assert posted.rubric == row.rubric, row.code
        kinds.add(row.rubric["kind"])
    assert kinds >= {"linear", "bands", "yes_no", "bonus", "deduction", "veto", "formula"}
    assert "appraisal" in kinds


def test_erin_changes_a_linear_floor_through_its_field(client_for, erin, draft):
    row = indicator(draft, "C1.01")
    data = form_data(row)
    data["rubric-floor"] = "4"

    response = client_for(erin).post(
        reverse("assessment:indicator_edit", args=[draft.pk, row.pk]), data
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.rubric == {"kind": "linear", "floor": 4.0}


def test_a_fraction_above_one_is_refused_by_the_framework_rules_on_its_field(
    client_for, erin, draft
):
    """GIVEN a yes share of 1.5, WHEN saved, THEN the framework file's own rule (a fraction is
    at most 1) says so on the field, in the reader's language, and nothing is saved."""
    row = indicator(draft, "C2.01")
    data = form_data(row)
    data["rubric-yes"] = "1.5"

    response = client_for(erin).post(
        reverse("assessment:indicator_edit", args=[draft.pk, row.pk]),
        data,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.context["rubric_form"].errors["yes"] == ["must be at most 1, not 1.5"]
    assert indicator(draft, "C2.01").rubric == {"kind": "yes_no", "yes": 1.0, "no": 0.0}


def test_the_preview_shows_the_engines_points_for_sample_values(client_for, erin, draft):
    row = indicator(draft, "C1.01")  # linear, target 12, weight 40
    data = form_data(row)
    data["rubric-floor"] = "2"
    data["try-C1.01"] = "7"

    response = client_for(erin).post(preview_url(row), data, HTTP_ACCEPT_LANGUAGE="en")

    shown = page(response)
    rows = shown.rows("#rubric-preview-table tbody")
    assert [cells[0] for cells in rows] == ["2", "7", "12", "7"]
    spec = selectors.engine_framework(draft)
    assert spec.indicator("C1.01").rubric.floor == 0  # the draft itself is unchanged
    preview = response.context["preview"]
    assert preview.rows[1].points == pytest.approx(20.0)  # (7 − 2) / (12 − 2) × 40
    assert rows[1][1] == "20 / 40"


def test_the_preview_names_what_is_missing_and_saves_nothing(client_for, erin, draft):
    row = indicator(draft, "C1.01")
    data = form_data(row)
    data["rubric-floor"] = ""

    response = client_for(erin).post(preview_url(row), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.context["preview"] is None
    assert page(response).has("[data-preview-problems]")
    assert "This rubric needs a value here." in page(response).text("[data-preview-problems]")


def test_the_preview_of_a_formula_scores_the_inputs_tried(client_for, erin, shipped_doc):
    framework = FrameworkFactory(document=shipped_doc, published=False)
    row = indicator(framework, "C2.18")  # C2.17 / C2.16 * 100, then bands
    data = form_data(row)
    data.update({"try-C2.17": "9", "try-C2.16": "10"})

    response = client_for(erin).post(preview_url(row), data)

    [sample] = response.context["preview"].rows
    spec = selectors.engine_framework(framework)
    expected = score_subject(spec, "branch", {"C2.17": 9, "C2.16": 10}).indicator("C2.18")
    assert (sample.computed, sample.points) == (90.0, expected.points)


def test_a_formula_with_an_unknown_code_is_named_in_chinese(client_for, erin, draft):
    row = indicator(draft, "C1.01")

    response = client_for(erin).get(check_url(row), {"rubric-expr": "C2.01 + X9"})

    assert page(response).texts("[data-formula-problems] li") == ["公式引用了不存在的指标 'X9'"]


def test_a_formula_with_a_syntax_error_is_explained_in_english(client_for, erin, draft):
    row = indicator(draft, "C1.01")

    response = client_for(erin).get(
        check_url(row), {"rubric-expr": "C2.01 + $"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert page(response).texts("[data-formula-problems] li") == [
        "unexpected character '$' at position 9"
    ]


def test_a_formula_that_reads_lists_its_inputs_to_try(client_for, erin, shipped_doc):
    framework = FrameworkFactory(document=shipped_doc, published=False)
    row = indicator(framework, "C2.18")

    response = client_for(erin).get(
        check_url(row), {"rubric-expr": "C2.17 / C2.16 * 100", "try-C2.17": "9"}
    )

    shown = page(response)
    assert shown.has("[data-formula-ok]")
    assert shown.has('input[name="try-C2.17"][value="9"]')
    assert shown.has('input[name="try-C2.16"]')


def test_the_preview_costs_a_few_queries_whatever_the_framework(client_for, erin, shipped_doc):
    framework = FrameworkFactory(document=shipped_doc, published=False)
    row = indicator(framework, "C2.02")
    client = client_for(erin)
    data = form_data(row)
    client.post(preview_url(row), data)  # the session and the user are read once

    with CaptureQueriesContext(connection) as queries:
        response = client.post(preview_url(row), data)

    assert response.status_code == 200
    assert len(queries) == 10, [q["sql"] for q in queries]  # 4 of them read the framework


@pytest.mark.parametrize("name", ["rubric_preview", "formula_check"])
def test_the_editor_endpoints_do_not_exist_for_others(client_for, alice, draft, name):
    row = indicator(draft, "C1.01")
    url = reverse(f"assessment:{name}", args=[draft.pk, row.pk])

    response = (
        client_for(alice).post(url) if name == "rubric_preview" else client_for(alice).get(url)
    )

    assert response.status_code == 404


def test_a_published_version_has_no_preview(client_for, erin, framework_doc):
    published = FrameworkFactory(document=framework_doc)
    row = indicator(published, "C1.01")

    assert client_for(erin).post(preview_url(row), form_data(row)).status_code == 404


def test_save_and_try_goes_on_to_the_trial(client_for, erin, draft):
    """With no scored period the draft could be tried on, the trial's page says so."""
    row = indicator(draft, "C1.01")
    data = form_data(row)
    data.update({"rubric-floor": "4", "then": "trial"})

    response = client_for(erin).post(
        reverse("assessment:indicator_edit", args=[draft.pk, row.pk]), data
    )

    assert response.status_code == 302
    assert response.url == reverse("assessment:framework_trial", args=[draft.pk])
    assert not DraftTrial.objects.exists()


def test_save_and_try_starts_the_trial_of_the_saved_draft(
    client_for, erin, tree, django_capture_on_commit_callbacks, monkeypatch
):
    """The edit's POST asks for the trial: it is queued with the edit saved, no second click."""
    scored = build_scored(tree, erin)
    draft = services.clone_framework(scored.current.framework, version="2027")
    sent = []
    monkeypatch.setattr(tasks.try_draft, "apply_async", lambda *a, **k: sent.append(k["args"]))
    row = indicator(draft, "C1.01")
    data = form_data(row)
    data.update({"rubric-floor": "4", "then": "trial"})

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(erin).post(
            reverse("assessment:indicator_edit", args=[draft.pk, row.pk]), data
        )

    job = DraftTrial.objects.get()
    assert response.url == reverse("assessment:framework_trial_run", args=[draft.pk, job.pk])
    assert (job.framework, job.period, sent) == (draft, scored.current, [[job.pk]])
    assert Indicator.objects.get(pk=row.pk).rubric["floor"] == 4


def test_a_veto_on_a_weighted_indicator_says_the_weight_must_be_zero(client_for, erin, draft):
    """GIVEN C2.01 (yes/no, weight 60) switched to a veto, WHEN saved, THEN the framework's rule
    (a veto carries no weight) is said on the weight field, shown open; nothing is saved."""
    row = indicator(draft, "C2.01")
    data = form_data(row)
    data.update({"rubric-kind": "veto", "rubric-cap_grade": "C", "rubric-cap_stars": "2"})

    response = client_for(erin).post(
        reverse("assessment:indicator_edit", args=[draft.pk, row.pk]),
        data,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    shown = page(response)
    assert response.context["form"].errors["weight"] == [
        "a veto indicator must have weight 0, not 60"
    ]
    assert shown.has("details#indicator-fields[open]")
    assert indicator(draft, "C2.01").rubric["kind"] == "yes_no"
