"""The framework pages: browsing a version, comparing two, and group administrators' draft editing.

Everyone signed in reads frameworks; only erin (administrator on the root) may edit a draft,
publish or clone, and for anyone else those pages do not exist.
"""

import copy
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import selectors, services
from assessment.choices import FrameworkStatus
from assessment.forms.frameworks import IndicatorForm
from assessment.forms.rubrics import FIELDS_OF, initial_of
from assessment.models import Framework, Indicator
from assessment.scoring import describe_rubric
from assessment.selectors.frameworks import _ENGINE_CACHE
from tests.factories import FrameworkFactory
from tests.html import Page, page, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_engine_cache():
    # The engine cache is keyed by (pk, revision); a rolled-back test's pk is used again.
    _ENGINE_CACHE.clear()
    yield
    _ENGINE_CACHE.clear()


@pytest.fixture
def draft(framework_doc) -> Framework:
    return FrameworkFactory(document=framework_doc, published=False)


@pytest.fixture
def published(framework_doc) -> Framework:
    return FrameworkFactory(document=framework_doc)


def detail_url(framework: Framework) -> str:
    return reverse("assessment:framework_detail", args=[framework.pk])


def edit_url(indicator: Indicator) -> str:
    return reverse("assessment:indicator_edit", args=[indicator.framework_id, indicator.pk])


def get(client, url: str, lang: str = "en", **extra):
    return client.get(url, HTTP_ACCEPT_LANGUAGE=lang, **extra)


def indicator_cells(shown: Page, code: str) -> dict[str, str]:
    """The cells of one indicator's row on the detail page, by column."""
    (cells,) = shown.rows(f'[id="indicator-{code}"]')
    columns = ("code", "name", "unit", "value_type", "direction", "target", "weight")
    columns += ("frequency", "applies_to", "evidence", "rubric")
    return dict(zip(columns, cells, strict=False))


def indicator(framework: Framework, code: str) -> Indicator:
    return Indicator.objects.get(framework=framework, code=code)


def form_data(row: Indicator, **changes) -> dict:
    """What the edit form posts when the user changes only ``changes``."""
    form = IndicatorForm(indicator=row)
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form.initial.get(name))
        if name in ("evidence_required", "assessed"):
            if form.initial.get(name):
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    rubric_form = form.rubric_form
    for name in rubric_form.fields:
        value = rubric_form.initial.get(name)
        data[rubric_form.add_prefix(name)] = "" if value is None else value
    if "rubric" in changes:
        data.update(rubric_data(changes.pop("rubric")))
    for name, value in changes.items():
        if isinstance(value, bool):
            data.pop(name, None)
            if value:
                data[name] = "on"
        else:
            data[name] = value
    return data


def rubric_data(rubric: dict | str) -> dict:
    """What the rubric fields post for `rubric` (a dict in the file's shape, or its JSON)."""
    rubric = json.loads(rubric) if isinstance(rubric, str) else rubric
    data = {f"rubric-{name}": "" for name in FIELDS_OF["bands"]}
    data.update({f"rubric-{name}": value for name, value in initial_of(rubric).items()})
    return data


def big_framework_doc(base: dict, dimensions: int = 12, per_dimension: int = 6) -> dict:
    """A bigger valid framework: ``dimensions`` top dimensions, each with a child, and
    ``dimensions * per_dimension`` indicators whose weights add up to 100, some tagged ``also``."""
    doc = copy.deepcopy(base)
    doc["version"] = "big"
    tops = []
    for d in range(dimensions):
        tops.append(
            {
                "code": f"D{d}",
                "name": {"zh": f"维度{d}", "en": f"Dimension {d}"},
                "children": [{"code": f"D{d}.1", "name": {"zh": f"子维度{d}", "en": f"Sub {d}"}}],
            }
        )
    doc["axes"][0]["dimensions"] = tops
    count = dimensions * per_dimension
    indicators = []
    for n in range(count):
        d = n % dimensions
        indicators.append(
            {
                "code": f"I{n:03d}",
                "name": {"zh": f"指标{n}", "en": f"Indicator {n}"},
                "dimension": f"D{d}.1" if n % 2 else f"D{d}",
                "also": ["G1"] if n % 5 == 0 else [],
                "applies_to": ["branch"],
                "value_type": "count",
                "unit": {"zh": "次", "en": "times"},
                "direction": "higher",
                "target": 10,
                "weight": 100 / count,
                "frequency": "year",
                "rubric": {"kind": "linear", "floor": 0},
            }
        )
    doc["indicators"] = indicators
    return doc


# -- the list ----------------------------------------------------------------------------------


def test_the_list_shows_every_version_with_its_status(client_for, alice, published):
    services.clone_framework(published, version="2027")

    response = get(client_for(alice), reverse("assessment:framework_list"))

    assert response.status_code == 200
    shown = page(response)
    versions = [(row[0], row[2], row[3]) for row in shown.rows("tbody")]  # name, version, status
    assert versions == [
        ("Test framework", "2027", "Draft"),
        ("Test framework", "2026", "Published"),
    ]
    statuses = [badge["data-status"] for badge in shown.select("tbody [data-status]")]
    assert statuses == ["draft", "published"]


def test_only_administrators_see_clone_and_publish(client_for, alice, erin, draft):
    clone_url = reverse("assessment:framework_clone", args=[draft.pk])
    publish_url = reverse("assessment:framework_publish", args=[draft.pk])

    as_alice = page(get(client_for(alice), reverse("assessment:framework_list")))
    as_erin = page(get(client_for(erin), reverse("assessment:framework_list")))

    assert not as_alice.refers_to(clone_url)
    assert not as_alice.refers_to(publish_url)
    assert as_erin.refers_to(clone_url)
    assert as_erin.refers_to(publish_url)


def test_the_list_needs_a_sign_in(client, draft):
    response = client.get(reverse("assessment:framework_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# -- the detail --------------------------------------------------------------------------------


def test_the_detail_speaks_chinese_by_default(client_for, alice, draft):
    response = get(client_for(alice), detail_url(draft), lang="zh-hans")

    shown = page(response)
    assert response.status_code == 200
    study = indicator_cells(shown, "C1.01")
    assert "理论学习次数" in study["name"]
    assert "Study sessions" not in shown.text()
    assert shown.text('[aria-labelledby="goal-heading"] .card-body') == "一个目标"
    assert shown.rows('[aria-labelledby="grades-heading"] tbody')[0][:2] == ["A", "优秀"]
    assert study["applies_to"] == "党支部"  # applies to, by the subject kind's name
    spec = selectors.engine_framework(draft)
    assert study["rubric"] == describe_rubric(spec.indicator("C1.01"), "zh")
    assert indicator_cells(shown, "C2.01")["rubric"] == describe_rubric(
        spec.indicator("C2.01"), "zh"
    )


def test_the_detail_in_english_shows_english_names_and_rubric_words(client_for, alice, draft):
    response = get(client_for(alice), detail_url(draft), lang="en")

    shown = page(response)
    study = indicator_cells(shown, "C1.01")
    assert "Study sessions" in study["name"]
    assert "理论学习次数" not in shown.text()
    assert shown.text('[aria-labelledby="goal-heading"] .card-body') == "One goal"
    assert shown.rows('[aria-labelledby="grades-heading"] tbody')[0][:2] == ["A", "Excellent"]
    assert study["applies_to"] == "Branch"
    assert study["unit"] == "times"
    spec = selectors.engine_framework(draft)
    words = describe_rubric(spec.indicator("C1.01"), "en")
    assert "linear" in words
    assert study["rubric"] == words
    assert indicator_cells(shown, "C2.01")["rubric"] == describe_rubric(
        spec.indicator("C2.01"), "en"
    )


def test_the_detail_shows_each_indicators_attributes(client_for, alice, draft):
    response = get(client_for(alice), detail_url(draft))

    row = indicator_cells(page(response), "C2.01")
    assert row["value_type"] == "Yes / no"
    assert row["frequency"] == "Monthly"
    assert row["evidence"] == "Required"
    assert row["direction"] == "Higher is better"
    assert row["weight"] == "60"


def test_points_per_dimension_follow_the_chosen_subject_kind(client_for, alice, framework_doc):
    framework_doc["subject_kinds"].append(
        {"code": "committee", "unit": "organization", "name": {"zh": "党委", "en": "Committee"}}
    )
    framework_doc["indicators"][0]["applies_to"] = ["branch", "committee"]
    framework_doc["indicators"].append(
        {
            "code": "C1.02",
            "name": {"zh": "党委学习", "en": "Committee study"},
            "dimension": "C1",
            "applies_to": ["committee"],
            "value_type": "boolean",
            "weight": 60,
            "frequency": "year",
            "rubric": {"kind": "yes_no"},
        }
    )
    framework = FrameworkFactory(document=framework_doc, published=False)
    client = client_for(alice)

    def points(kind: str) -> dict[str, float]:
        shown = get(client, detail_url(framework), data={"kind": kind}).context["page"]
        axis = shown.axes[0]
        return {
            "axis": axis.points,
            "C1": axis.dimensions[0].points,
            "C2": axis.dimensions[1].points,
            "C2.1": axis.dimensions[1].children[0].points,
            "G1": shown.axes[1].dimensions[0].points,
        }

    assert points("branch") == {"axis": 100, "C1": 40, "C2": 60, "C2.1": 60, "G1": 0}
    assert points("committee") == {"axis": 100, "C1": 100, "C2": 0, "C2.1": 0, "G1": 0}
    shown = page(get(client, detail_url(framework), data={"kind": "committee"}))
    assert shown.attr("#dimension-C1 > summary [data-points]", "data-points") == "100"
    assert shown.attr('[id="indicator-C2.01"]', "class") == "text-body-tertiary"  # not committees


def test_the_first_subject_kind_is_shown_by_default(client_for, alice, draft):
    shown = get(client_for(alice), detail_url(draft)).context["page"]

    assert shown.subject_kind.code == "branch"
    assert sum(d.points for a in shown.axes for d in a.dimensions) == 100


def test_an_htmx_request_gets_only_the_tree(client_for, alice, draft):
    response = get(
        client_for(alice), detail_url(draft), data={"kind": "branch"}, HTTP_HX_REQUEST="true"
    )

    top = [node for node in page(response).root.contents if str(node).strip()]
    assert len(top) == 1  # the tree, nothing around it
    assert (top[0].name, top[0].get("id")) == ("div", "framework-tree")


def test_whole_page_and_tree_are_cached_apart(client_for, alice, draft):
    response = get(client_for(alice), detail_url(draft))

    assert "HX-Request" in response["Vary"]


def _queries_for(client, framework: Framework) -> int:
    _ENGINE_CACHE.clear()  # the worst case: the version is parsed on this request
    with CaptureQueriesContext(connection) as queries:
        assert get(client, detail_url(framework)).status_code == 200
    return len(queries)


def test_the_detail_costs_the_same_few_queries_whatever_the_size(client_for, alice, framework_doc):
    small = FrameworkFactory(document=framework_doc, published=False)
    big = FrameworkFactory(document=big_framework_doc(framework_doc), published=False)
    assert big.indicators.count() == 72
    client = client_for(alice)
    get(client, detail_url(small))  # the session and user are loaded once per request anyway

    small_count = _queries_for(client, small)
    big_count = _queries_for(client, big)

    assert small_count == big_count
    assert big_count <= 10


def test_an_unknown_framework_is_a_404(client_for, alice, draft):
    response = get(client_for(alice), reverse("assessment:framework_detail", args=[draft.pk + 99]))

    assert response.status_code == 404


# -- compare -----------------------------------------------------------------------------------


@pytest.fixture
def two_versions(framework_doc) -> tuple[Framework, Framework]:
    old = FrameworkFactory(document=framework_doc)
    framework_doc["version"] = "2027"
    c101 = framework_doc["indicators"][0]
    c101["target"] = 10
    c101["rubric"] = {"kind": "linear", "floor": 2}
    c101["name"]["en"] = "Study sessions held"
    framework_doc["indicators"][1]["code"] = "C2.02"
    framework_doc["indicators"][1]["name"] = {"zh": "支委会按月召开", "en": "Monthly meetings"}
    new = FrameworkFactory(document=framework_doc, published=False)
    return old, new


def test_compare_shows_added_removed_and_changed(client_for, alice, two_versions):
    old, new = two_versions

    response = get(
        client_for(alice), reverse("assessment:framework_compare"), data={"a": old.pk, "b": new.pk}
    )

    result = response.context["result"]
    assert [i.code for i in result.added] == ["C2.02"]
    assert [i.code for i in result.removed] == ["C2.01"]
    [change] = result.changed
    assert change.code == "C1.01"
    rows = {row.key: row for row in change.fields}
    assert list(rows) == ["name", "target", "rubric"]
    assert (rows["target"].before, rows["target"].after) == ("12", "10")
    assert "Study sessions /" in rows["name"].before or "Study sessions" in rows["name"].before
    assert "Study sessions held" in rows["name"].after
    old_words = describe_rubric(selectors.engine_framework(old).indicator("C1.01"), "en")
    new_words = describe_rubric(selectors.engine_framework(new).indicator("C1.01"), "en")
    assert (rows["rubric"].before, rows["rubric"].after) == (old_words, new_words)
    shown = page(response)
    before, after = shown.texts('[id="changed-C1.01"] tr[data-field="rubric"] td')
    assert before.startswith(old_words)  # the words, then the rubric's JSON below them
    assert after.startswith(new_words)
    assert shown.rows('#added tr[data-code="C2.02"]')[0][1] == "Monthly meetings"
    assert shown.rows('#removed tr[data-code="C2.01"]')[0][1] == "Committee meetings held"


def test_compare_in_chinese_shows_rubric_words_in_chinese(client_for, alice, two_versions):
    old, new = two_versions

    response = get(
        client_for(alice),
        reverse("assessment:framework_compare"),
        lang="zh-hans",
        data={"a": old.pk, "b": new.pk},
    )

    words = describe_rubric(selectors.engine_framework(new).indicator("C1.01"), "zh")
    after = page(response).text('[id="changed-C1.01"] tr[data-field="rubric"] .portal-after')
    assert after.startswith(words)  # the words, then the rubric's JSON below them


def test_compare_without_a_choice_offers_the_versions(client_for, alice, two_versions):
    old, new = two_versions

    response = get(client_for(alice), reverse("assessment:framework_compare"))

    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["form"].initial == {"a": old.pk, "b": new.pk}


def test_compare_given_only_a_clone_starts_from_its_source(client_for, alice, published):
    clone = services.clone_framework(published, version="2027")

    response = get(client_for(alice), reverse("assessment:framework_compare"), data={"b": clone.pk})

    assert response.context["result"] is None
    assert response.context["form"].initial == {"a": published.pk, "b": str(clone.pk)}


def test_compare_of_drafts_only_starts_from_the_previous_version(client_for, alice, framework_doc):
    first = FrameworkFactory(document=framework_doc, published=False)
    framework_doc["version"] = "2027"
    second = FrameworkFactory(document=framework_doc, published=False)

    response = get(client_for(alice), reverse("assessment:framework_compare"))

    assert response.context["form"].initial == {"a": first.pk, "b": second.pk}


def test_compare_with_an_unknown_version_is_a_form_error(client_for, alice, two_versions):
    old, _new = two_versions

    response = get(
        client_for(alice), reverse("assessment:framework_compare"), data={"a": old.pk, "b": 9999}
    )

    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["form"].errors["b"]


# -- editing a draft ---------------------------------------------------------------------------


def test_erin_edits_a_draft_indicator(client_for, erin, draft):
    row = indicator(draft, "C1.01")
    client = client_for(erin)
    assert page(get(client, detail_url(draft))).has(
        f'[id="indicator-C1.01"] a[href="{edit_url(row)}"]'
    )

    response = client.post(
        edit_url(row),
        form_data(
            row, name_en="Theory study sessions", target=24, rubric='{"kind": "linear", "floor": 4}'
        ),
    )

    assert response.status_code == 302
    assert response.url == f"{detail_url(draft)}#indicator-C1.01"
    row.refresh_from_db()
    assert row.name_en == "Theory study sessions"
    assert row.target == 24
    assert row.rubric == {"kind": "linear", "floor": 4}
    draft.refresh_from_db()
    assert draft.revision == 1
    edited = indicator_cells(page(get(client, detail_url(draft))), "C1.01")
    assert "Theory study sessions" in edited["name"]
    words = describe_rubric(selectors.engine_framework(draft).indicator("C1.01"), "en")
    assert edited["rubric"] == words


def test_an_edit_that_breaks_the_weights_shows_the_errors_and_saves_nothing(
    client_for, erin, draft
):
    row = indicator(draft, "C1.01")

    response = client_for(erin).post(
        edit_url(row), form_data(row, weight=30, target=20), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    errors = response.context["framework_errors"]
    assert any("'branch'" in error and "90" in error for error in errors)
    shown = page(response)
    assert shown.text("#framework-errors").startswith("Nothing was saved")
    assert shown.texts("#framework-errors li") == errors
    row.refresh_from_db()
    assert (row.weight, row.target) == (40, 12)
    draft.refresh_from_db()
    assert draft.revision == 0


def test_the_framework_problems_are_shown_in_chinese_by_default(client_for, erin, draft):
    """GIVEN an edit that breaks the weights, WHEN the page answers a Chinese-speaking user (the
    default), THEN every problem is listed in Chinese, naming the same place as in English."""
    row = indicator(draft, "C1.01")

    response = client_for(erin).post(edit_url(row), form_data(row, weight=30, target=20))

    errors = page(response).texts("#framework-errors li")
    assert errors == response.context["framework_errors"]
    assert errors
    assert any("'branch'" in error and "90" in error for error in errors)
    assert all(re.search(r"[\u4e00-\u9fff]", error) for error in errors)
    assert not any("weights" in error for error in errors)


BROKEN_FORMULA = '{"kind": "formula", "expr": "C2.01 + $", "then": {"kind": "linear", "floor": 0}}'


def test_a_broken_formula_is_explained_in_chinese_by_default(client_for, erin, draft):
    """GIVEN a rubric whose formula has a character formulas do not take, WHEN the page answers a
    Chinese-speaking user (the default), THEN the formula's field says what is wrong in Chinese,
    at the position of the character, with no English in it, and nothing is saved."""
    row = indicator(draft, "C1.01")

    response = client_for(erin).post(edit_url(row), form_data(row, rubric=BROKEN_FORMULA))

    shown = page(response)
    assert shown.has("#framework-errors")
    assert response.context["rubric_form"].errors["expr"] == ["公式第 9 个字符 '$' 无法识别"]
    assert "公式第 9 个字符 '$' 无法识别" in shown.text("#rubric-fields")
    assert indicator(draft, "C1.01").rubric["kind"] == "linear"


def test_a_broken_formula_is_explained_in_english_to_an_english_reader(client_for, erin, draft):
    row = indicator(draft, "C1.01")

    response = client_for(erin).post(
        edit_url(row), form_data(row, rubric=BROKEN_FORMULA), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.context["rubric_form"].errors["expr"] == [
        "unexpected character '$' at position 9"
    ]


def test_a_rubric_that_does_not_fit_lists_the_problems(client_for, erin, draft):
    """A bands rubric on a yes/no indicator: the framework's rules refuse the kind, on its field."""
    row = indicator(draft, "C2.01")

    response = client_for(erin).post(
        edit_url(row),
        form_data(row, rubric={"kind": "bands", "bands": [{"min": 1, "fraction": 1}]}),
    )

    assert response.status_code == 200
    assert response.context["rubric_form"].errors["kind"]
    assert indicator(draft, "C2.01").rubric == {"kind": "yes_no", "yes": 1.0, "no": 0.0}


def test_a_rubric_field_that_is_not_a_number_is_a_form_error(client_for, erin, draft):
    row = indicator(draft, "C2.01")
    data = form_data(row)
    data["rubric-yes"] = "most"

    response = client_for(erin).post(edit_url(row), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["rubric_form"].errors["yes"] == ["Enter a number."]
    assert not response.context["framework_errors"]
    draft.refresh_from_db()
    assert draft.revision == 0


def test_submitting_no_change_saves_nothing(client_for, erin, draft):
    row = indicator(draft, "C2.01")

    response = client_for(erin).post(edit_url(row), form_data(row))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.revision == 0


def test_editing_a_published_version_is_refused(client_for, erin, published):
    row = indicator(published, "C1.01")
    client = client_for(erin)

    assert not page(get(client, detail_url(published))).refers_to(edit_url(row))
    shown = client.get(edit_url(row), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    posted = client.post(
        edit_url(row), form_data(row, name_en="Changed"), HTTP_ACCEPT_LANGUAGE="en", follow=True
    )

    for response in (shown, posted):
        assert response.redirect_chain[-1][0] == detail_url(published)
        assert "cannot be changed" in page(response).text(".portal-messages")
    assert indicator(published, "C1.01").name_en == "Study sessions"


# -- publish and clone -------------------------------------------------------------------------


def test_erin_publishes_a_draft_after_confirming(client_for, erin, published):
    draft = services.clone_framework(published, version="2027")
    url = reverse("assessment:framework_publish", args=[draft.pk])
    client = client_for(erin)

    confirm = get(client, url)
    assert confirm.status_code == 200
    consequences = page(confirm).texts("main .card li")
    assert "Version 2026, published now, will be archived." in consequences
    draft.refresh_from_db()
    assert draft.is_draft

    response = client.post(url)

    assert response.status_code == 302
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.status == FrameworkStatus.PUBLISHED
    assert published.status == FrameworkStatus.ARCHIVED


def test_publishing_a_published_version_is_refused(client_for, erin, published):
    url = reverse("assessment:framework_publish", args=[published.pk])

    response = client_for(erin).post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)

    assert "cannot be changed" in page(response).text(".portal-messages")
    published.refresh_from_db()
    assert published.status == FrameworkStatus.PUBLISHED


def test_erin_clones_a_version_into_a_new_draft(client_for, erin, published):
    url = reverse("assessment:framework_clone", args=[published.pk])

    response = client_for(erin).post(url, {"version": "2027"})

    clone = Framework.objects.get(version="2027")
    assert response.status_code == 302
    assert response.url == detail_url(clone)
    assert clone.is_draft
    assert clone.cloned_from == published
    assert clone.indicators.count() == 2


@pytest.mark.parametrize("version", ["2026", "20 27", ""])
def test_cloning_into_an_existing_or_malformed_version_is_a_form_error(
    client_for, erin, published, version
):
    url = reverse("assessment:framework_clone", args=[published.pk])

    response = client_for(erin).post(url, {"version": version}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["form"].errors["version"]
    assert Framework.objects.count() == 1


def test_cloning_an_existing_version_says_so(client_for, erin, published):
    url = reverse("assessment:framework_clone", args=[published.pk])

    response = client_for(erin).post(url, {"version": "2026"}, HTTP_ACCEPT_LANGUAGE="en")

    (error,) = page(response).field("version").parent.select(".invalid-feedback")
    assert "already loaded" in text_of(error)


# -- who may change frameworks -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "carol", "dave", "frank"])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("page_name", ["edit", "publish", "clone"])
def test_only_group_administrators_can_reach_the_change_pages(
    request, client_for, draft, who, method, page_name
):
    user = request.getfixturevalue(who)
    row = indicator(draft, "C1.01")
    url = {
        "edit": edit_url(row),
        "publish": reverse("assessment:framework_publish", args=[draft.pk]),
        "clone": reverse("assessment:framework_clone", args=[draft.pk]),
    }[page_name]
    data = {"edit": form_data(row, name_en="Hijacked"), "publish": {}, "clone": {"version": "x"}}

    client = client_for(user)
    response = client.get(url) if method == "get" else client.post(url, data[page_name])

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft
    assert draft.revision == 0
    assert Framework.objects.count() == 1


def test_non_administrators_see_no_edit_links(client_for, carol, draft):
    shown = page(get(client_for(carol), detail_url(draft)))

    assert not shown.has('[href*="/edit/"], [action*="/edit/"], [hx-get*="/edit/"]')
    assert not shown.refers_to(reverse("assessment:framework_publish", args=[draft.pk]))


# -- compare: the order and the same version ---------------------------------------------------


def test_compare_refuses_a_version_with_itself(client_for, alice, two_versions):
    old, _new = two_versions

    response = get(
        client_for(alice), reverse("assessment:framework_compare"), data={"a": old.pk, "b": old.pk}
    )

    assert response.status_code == 200
    assert response.context["result"] is None
    assert page(response).text("#compare-error").startswith("Choose two different versions")


def test_compare_suggests_the_older_version_first(client_for, alice, framework_doc):
    """GIVEN a version published after an older one was archived, WHEN the comparison opens with
    nothing chosen, THEN it goes from the older version to the newer one."""
    older = FrameworkFactory(document=framework_doc)
    framework_doc["version"] = "2027"
    newer = FrameworkFactory(document=framework_doc)  # publishing it archives the older one
    older.refresh_from_db()
    assert older.status == FrameworkStatus.ARCHIVED

    response = get(client_for(alice), reverse("assessment:framework_compare"))

    assert response.context["form"].initial == {"a": older.pk, "b": newer.pk}
