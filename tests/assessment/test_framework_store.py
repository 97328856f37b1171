"""Frameworks in the database: load all or nothing, publish, immutability, clone, compare."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from assessment import selectors, services
from assessment.choices import FrameworkStatus
from assessment.models import Dimension, Framework, FrameworkLocked, Indicator
from assessment.scoring.spec import FrameworkError, parse_framework

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parents[2] / "assessment" / "data" / "framework.yaml"


def test_a_loaded_framework_reads_back_as_the_same_document(framework_doc):
    framework = services.load_framework(framework_doc)
    assert framework.status == FrameworkStatus.DRAFT
    assert parse_framework(selectors.framework_document(framework)) == parse_framework(
        framework_doc
    )


def test_the_dimension_tree_keeps_parents_and_depths(framework_doc):
    framework = services.load_framework(framework_doc)
    child = Dimension.objects.get(framework=framework, code="C2.1")
    assert child.parent.code == "C2"
    assert child.depth == 1
    assert child.axis.code == "construction"


def test_an_invalid_document_loads_nothing(framework_doc):
    framework_doc["indicators"][0]["weight"] = 30  # the branch total is now 90, not 100
    with pytest.raises(FrameworkError) as error:
        services.load_framework(framework_doc)
    assert "branch" in str(error.value)
    assert not Framework.objects.exists()
    assert not Indicator.objects.exists()


def test_loading_the_same_version_twice_is_refused(framework_doc):
    services.load_framework(framework_doc)
    with pytest.raises(services.FrameworkExists):
        services.load_framework(framework_doc)
    assert Framework.objects.count() == 1


def test_a_draft_may_be_replaced(framework_doc):
    services.load_framework(framework_doc)
    framework_doc["name"]["en"] = "Renamed"
    framework = services.load_framework(framework_doc, replace_draft=True)
    assert framework.name_en == "Renamed"
    assert Framework.objects.count() == 1


def test_publishing_freezes_every_row(framework_doc):
    framework = services.publish_framework(services.load_framework(framework_doc))
    indicator = Indicator.objects.get(framework=framework, code="C1.01")
    indicator.weight = 50
    with translation.override("en"), pytest.raises(FrameworkLocked, match="cannot be changed"):
        indicator.save()
    with pytest.raises(FrameworkLocked):
        indicator.delete()
    framework.name = "改名"
    with pytest.raises(FrameworkLocked):
        framework.save()
    with pytest.raises(FrameworkLocked):
        services.update_indicator(indicator, {"weight": 50})
    assert Indicator.objects.get(pk=indicator.pk).weight == 40


def test_publishing_a_new_version_archives_the_previous_one(framework_doc):
    first = services.publish_framework(services.load_framework(framework_doc))
    second = services.publish_framework(services.clone_framework(first, version="2027"))
    first.refresh_from_db()
    assert first.status == FrameworkStatus.ARCHIVED
    assert second.status == FrameworkStatus.PUBLISHED
    assert selectors.current_framework("TEST") == second


def test_a_clone_is_an_editable_draft_with_the_same_content(framework_doc):
    published = services.publish_framework(services.load_framework(framework_doc))
    clone = services.clone_framework(published, version="2027")
    assert clone.is_draft
    assert clone.cloned_from == published
    assert selectors.compare_frameworks(published, clone).changed == []
    indicator = Indicator.objects.get(framework=clone, code="C1.01")
    services.update_indicator(indicator, {"target": 24})
    assert Indicator.objects.get(pk=indicator.pk).target == 24


def test_an_edit_that_breaks_the_weights_is_refused(framework_doc):
    framework = services.load_framework(framework_doc)
    indicator = Indicator.objects.get(framework=framework, code="C1.01")
    with pytest.raises(FrameworkError):
        services.update_indicator(indicator, {"weight": 10})
    assert Indicator.objects.get(pk=indicator.pk).weight == 40


def test_comparison_lists_added_removed_and_changed(framework_doc):
    old = services.load_framework(framework_doc)
    framework_doc["version"] = "2027"
    framework_doc["indicators"][0]["target"] = 24
    framework_doc["indicators"][1]["code"] = "C2.02"
    new = services.load_framework(framework_doc)
    diff = selectors.compare_frameworks(old, new)
    assert [i["code"] for i in diff.added] == ["C2.02"]
    assert [i["code"] for i in diff.removed] == ["C2.01"]
    assert [(c.code, c.fields) for c in diff.changed] == [("C1.01", {"target": (12, 24)})]


def test_engine_framework_is_cached_per_revision(framework_doc, django_assert_num_queries):
    framework = services.load_framework(framework_doc)
    first = selectors.engine_framework(framework)
    with django_assert_num_queries(0):
        assert selectors.engine_framework(framework) is first


def test_load_framework_command_reports_every_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: X\nversion: '1'\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing loaded"):
        call_command("load_framework", str(bad))
    assert not Framework.objects.exists()


def test_load_framework_command_rejects_broken_yaml(tmp_path):
    bad = tmp_path / "broken.yaml"
    bad.write_text("code: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("load_framework", str(bad))


def test_the_shipped_framework_loads_and_publishes():
    call_command("load_framework", str(SHIPPED), "--publish")
    framework = Framework.objects.get()
    assert framework.status == FrameworkStatus.PUBLISHED
    assert 100 <= framework.indicators.count() <= 150
