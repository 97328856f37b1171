"""Entering business figures and defining measures (business/services/figures.py)."""

from decimal import Decimal

import pytest
from django.utils import translation

from audit.models import AuditEntry, AuditKind
from business.models import BusinessFigure, BusinessMeasure
from business.services.figures import (
    FiguresRefused,
    NotAllowed,
    StaleFigures,
    define_measure,
    save_figures,
    set_measure_active,
)


def _figures(org, year):
    return {
        f.measure.code: f.grade or f.value
        for f in BusinessFigure.objects.filter(organization=org, year=year).select_related(
            "measure"
        )
    }


def test_a_finance_user_saves_an_organizations_figures_of_a_year(tree, gina):
    save_figures(
        tree.a1,
        2025,
        {"revenue": "12,345.6", "profit_growth": "-3.5%", "sasac_grade": "a"},
        acting_user=gina,
    )
    assert _figures(tree.a1, 2025) == {
        "revenue": Decimal("12345.6"),
        "profit_growth": Decimal("-3.5"),
        "sasac_grade": "A",
    }
    entry = AuditEntry.objects.get(kind=AuditKind.FIGURES_SAVED)
    assert entry.organization_id == tree.a1.pk
    assert entry.actor_id == gina.pk
    assert entry.before == {"revenue": None, "profit_growth": None, "sasac_grade": None}
    assert entry.after == {"revenue": "12345.6", "profit_growth": "-3.5", "sasac_grade": "A"}


def test_a_change_bumps_the_version_and_records_before_and_after(tree, gina):
    save_figures(tree.a1, 2025, {"revenue": "100"}, acting_user=gina)
    save_figures(tree.a1, 2025, {"revenue": "120"}, versions={"revenue": 1}, acting_user=gina)
    figure = BusinessFigure.objects.get(organization=tree.a1, year=2025)
    assert (figure.value, figure.version) == (Decimal("120"), 2)
    last = AuditEntry.objects.filter(kind=AuditKind.FIGURES_SAVED).order_by("pk").last()
    assert (last.before, last.after) == ({"revenue": "100"}, {"revenue": "120"})


def test_an_unchanged_save_records_nothing(tree, gina):
    save_figures(tree.a1, 2025, {"revenue": "100"}, acting_user=gina)
    save_figures(tree.a1, 2025, {"revenue": "100.0"}, versions={"revenue": 1}, acting_user=gina)
    assert AuditEntry.objects.filter(kind=AuditKind.FIGURES_SAVED).count() == 1


def test_an_empty_entry_removes_the_figure(tree, gina):
    save_figures(tree.a1, 2025, {"revenue": "100"}, acting_user=gina)
    save_figures(tree.a1, 2025, {"revenue": ""}, versions={"revenue": 1}, acting_user=gina)
    assert not BusinessFigure.objects.exists()


def test_a_bad_number_is_refused_by_the_measures_name_and_nothing_is_saved(tree, gina):
    with translation.override("en"), pytest.raises(FiguresRefused) as refused:
        save_figures(tree.a1, 2025, {"revenue": "lots", "profit": "5"}, acting_user=gina)
    assert "Main-business revenue" in refused.value.errors["revenue"]
    assert list(refused.value.errors) == ["revenue"]
    assert not BusinessFigure.objects.exists()
    assert not AuditEntry.objects.filter(kind=AuditKind.FIGURES_SAVED).exists()


def test_a_bad_number_is_refused_in_chinese_by_default(tree, gina):
    with translation.override("zh-hans"), pytest.raises(FiguresRefused) as refused:
        save_figures(tree.a1, 2025, {"revenue": "很多"}, acting_user=gina)
    assert "主营业务收入" in refused.value.errors["revenue"]


def test_a_number_with_more_than_four_decimals_is_refused(tree, gina):
    with pytest.raises(FiguresRefused):
        save_figures(tree.a1, 2025, {"revenue": "1.23456"}, acting_user=gina)


def test_a_bad_grade_is_refused(tree, gina):
    with translation.override("en"), pytest.raises(FiguresRefused) as refused:
        save_figures(tree.a1, 2025, {"sasac_grade": "E", "revenue": "1"}, acting_user=gina)
    assert "Operating performance grade" in refused.value.errors["sasac_grade"]
    assert not BusinessFigure.objects.exists()


def test_a_year_outside_the_range_is_refused(tree, gina):
    with pytest.raises(FiguresRefused):
        save_figures(tree.a1, 1800, {"revenue": "1"}, acting_user=gina)


def test_a_stale_version_is_refused_and_nothing_changes(tree, gina):
    save_figures(tree.a1, 2025, {"revenue": "100"}, acting_user=gina)
    save_figures(tree.a1, 2025, {"revenue": "110"}, versions={"revenue": 1}, acting_user=gina)
    with pytest.raises(StaleFigures) as refused:
        save_figures(
            tree.a1,
            2025,
            {"revenue": "90", "profit": "1"},
            versions={"revenue": 1},
            acting_user=gina,
        )
    assert list(refused.value.errors) == ["revenue"]
    assert _figures(tree.a1, 2025) == {"revenue": Decimal("110")}


def test_a_figure_added_meanwhile_is_stale_for_a_form_that_saw_none(tree, gina):
    save_figures(tree.a1, 2025, {"revenue": "100"}, acting_user=gina)
    with pytest.raises(StaleFigures):
        save_figures(tree.a1, 2025, {"revenue": "90"}, acting_user=gina)


@pytest.mark.parametrize("who", ["alice", "carol", "frank"])
def test_users_without_the_finance_action_may_not_save(tree, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        save_figures(tree.a1a, 2025, {"revenue": "1"}, acting_user=user)
    assert not BusinessFigure.objects.exists()


def test_finance_outside_its_subtree_may_not_save(tree, gina):
    with pytest.raises(NotAllowed):
        save_figures(tree.b1, 2025, {"revenue": "1"}, acting_user=gina)


def test_an_administrator_may_save(tree, erin):
    save_figures(tree.b1, 2024, {"sasac_term_grade": "B"}, acting_user=erin)
    assert _figures(tree.b1, 2024) == {"sasac_term_grade": "B"}


def test_an_administrator_defines_and_deactivates_a_measure(tree, erin):
    measure = define_measure(
        "rd_ratio", name="研发投入强度", name_en="R&D intensity", unit="%", acting_user=erin
    )
    assert (measure.scale, measure.direction, measure.built_in) == ("number", "higher", False)
    save_figures(tree.a1, 2025, {"rd_ratio": "2.5"}, acting_user=erin)
    set_measure_active(measure, False, acting_user=erin)
    assert not BusinessMeasure.objects.get(code="rd_ratio").is_active
    assert _figures(tree.a1, 2025) == {"rd_ratio": Decimal("2.5")}
    with pytest.raises(FiguresRefused):
        save_figures(tree.a1, 2026, {"rd_ratio": "3"}, acting_user=erin)
    assert AuditEntry.objects.filter(target=f"business-measure:{measure.pk}").count() == 2


def test_a_built_in_measure_cannot_be_deactivated(tree, erin):
    with pytest.raises(FiguresRefused):
        set_measure_active(BusinessMeasure.objects.get(code="revenue"), False, acting_user=erin)


def test_a_duplicate_or_malformed_code_is_refused(tree, erin):
    with pytest.raises(FiguresRefused) as refused:
        define_measure("revenue", name="x", acting_user=erin)
    assert "code" in refused.value.errors
    with pytest.raises(FiguresRefused):
        define_measure("Bad Code", name="x", acting_user=erin)


def test_only_group_administrators_define_measures(tree, gina, carol):
    for user in (gina, carol):
        with pytest.raises(NotAllowed):
            define_measure("rd_ratio", name="研发投入强度", acting_user=user)
