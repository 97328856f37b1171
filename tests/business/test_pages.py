"""The business pages: the year's table, an organization's figures and history, the entry form,
the measures, the import pages; each in the caller's scope (404 outside it), with bounded
queries.

Gina is finance on committee A; carol reviews A; bob is A1b's secretary; erin administers the
group.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from business.models import BusinessFigure, BusinessMeasure
from business.services.figures import save_figures
from organizations.models import ImportBatch
from tests.html import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client_for, settings):
    def login(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture
def figures(tree, erin):
    save_figures(tree.a1, 2024, {"revenue": "100", "sasac_grade": "A"}, acting_user=erin)
    save_figures(tree.a1a, 2024, {"revenue": "40"}, acting_user=erin)
    save_figures(tree.a1, 2025, {"revenue": "120"}, acting_user=erin)
    save_figures(tree.b1, 2024, {"revenue": "999"}, acting_user=erin)


def test_the_table_shows_the_years_figures_in_the_scope(client_for, carol, figures):
    shown = page(client_for(carol).get(reverse("business:table"), {"year": 2024}))
    assert [row["data-organization"] for row in shown.select("#figures tbody tr")] == ["A1", "A1a"]
    assert "100" in shown.text("#figures tr[data-organization='A1']")
    assert "A" in shown.texts("#figures tr[data-organization='A1'] td")


def test_the_table_filters_by_subtree_and_survives_garbled_input(client_for, erin, figures, tree):
    client = client_for(erin)
    shown = page(client.get(reverse("business:table"), {"year": 2024, "within": tree.b.pk}))
    assert [row["data-organization"] for row in shown.select("#figures tbody tr")] == ["B1"]
    answer = client.get(reverse("business:table"), {"year": "x'", "within": "99999999999999999999"})
    assert answer.status_code == 200


def test_the_table_defaults_to_the_latest_year(client_for, carol, figures):
    shown = page(client_for(carol).get(reverse("business:table")))
    assert shown.attr("#filter-year option[selected]", "value") == "2025"


def test_the_table_answers_in_a_bounded_number_of_queries(
    client_for, erin, figures, tree, django_assert_max_num_queries
):
    client = client_for(erin)
    client.get(reverse("business:table"))
    for year in range(2000, 2010):
        save_figures(tree.a1b, year, {"revenue": "1", "profit": "2"}, acting_user=erin)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("business:table"), {"year": 2024}).status_code == 200


def test_someone_without_a_role_has_no_table(client_for, frank):
    assert client_for(frank).get(reverse("business:table")).status_code == 404


def test_an_organizations_page_shows_its_years_and_history(client_for, carol, figures, tree):
    shown = page(client_for(carol).get(reverse("business:organization", args=[tree.a1.pk])))
    assert [row["data-year"] for row in shown.select("#figures tbody tr")] == ["2025", "2024"]
    history = shown.text("#history")
    assert "erin" in history
    assert "Main-business revenue: — → 120" in history
    assert not shown.has(f"a[href^='{reverse('business:enter', args=[tree.a1.pk])}']")


def test_an_organizations_page_outside_the_scope_is_a_404(client_for, bob, figures, tree):
    assert (
        client_for(bob).get(reverse("business:organization", args=[tree.a1a.pk])).status_code == 404
    )


def test_an_organizations_page_has_bounded_queries(
    client_for, erin, figures, tree, django_assert_max_num_queries
):
    client = client_for(erin)
    client.get(reverse("business:organization", args=[tree.a1.pk]))
    for year in range(2000, 2010):
        save_figures(tree.a1, year, {"revenue": "1", "sasac_grade": "B"}, acting_user=erin)
    with django_assert_max_num_queries(10):
        client.get(reverse("business:organization", args=[tree.a1.pk]))


def test_finance_enters_an_organizations_figures(client_for, gina, tree):
    client = client_for(gina)
    url = reverse("business:enter", args=[tree.a1a.pk]) + "?year=2025"
    shown = page(client.get(url))
    assert shown.has_field("m-revenue")
    answer = client.post(
        url, {"m-revenue": "1,234.5", "m-sasac_grade": "b", "v-revenue": 0, "v-sasac_grade": 0}
    )
    assert answer.status_code == 302
    stored = {
        f.measure.code: f.grade or f.value for f in BusinessFigure.objects.select_related("measure")
    }
    assert stored == {"revenue": 1234.5, "sasac_grade": "B"}


def test_a_bad_entry_is_shown_on_its_field_and_saves_nothing(client_for, gina, tree):
    url = reverse("business:enter", args=[tree.a1a.pk]) + "?year=2025"
    answer = client_for(gina).post(
        url, {"m-revenue": "1", "m-sasac_grade": "Z", "v-revenue": 0, "v-sasac_grade": 0}
    )
    assert answer.status_code == 400
    assert "A, B, C or D" in " ".join(page(answer).field_errors("m-sasac_grade"))
    assert not BusinessFigure.objects.exists()


def test_a_stale_entry_is_refused(client_for, gina, tree):
    save_figures(tree.a1a, 2025, {"revenue": "5"}, acting_user=gina)
    url = reverse("business:enter", args=[tree.a1a.pk]) + "?year=2025"
    answer = client_for(gina).post(url, {"m-revenue": "6", "v-revenue": 0})
    assert answer.status_code == 409
    assert "Nothing was saved" in page(answer).text()
    assert BusinessFigure.objects.get().value == 5


def test_the_entry_form_is_a_404_without_the_finance_role(client_for, carol, gina, tree):
    assert client_for(carol).get(reverse("business:enter", args=[tree.a1.pk])).status_code == 404
    assert client_for(gina).get(reverse("business:enter", args=[tree.b1.pk])).status_code == 404


def test_an_administrator_adds_and_deactivates_a_measure(client_for, erin):
    client = client_for(erin)
    answer = client.post(
        reverse("business:measures"),
        {
            "code": "rd_ratio",
            "name": "研发投入强度",
            "name_en": "R&D intensity",
            "unit": "%",
            "scale": "number",
            "direction": "higher",
        },
    )
    assert answer.status_code == 302
    measure = BusinessMeasure.objects.get(code="rd_ratio")
    client.post(reverse("business:measure_active", args=[measure.pk]), {"active": "0"})
    measure.refresh_from_db()
    assert not measure.is_active


def test_a_duplicate_measure_code_is_shown_on_the_form(client_for, erin):
    answer = client_for(erin).post(
        reverse("business:measures"),
        {"code": "revenue", "name": "x", "scale": "number", "direction": "higher"},
    )
    assert answer.status_code == 400
    assert page(answer).field_errors("code")


def test_others_read_the_measures_but_define_none(client_for, gina):
    client = client_for(gina)
    shown = page(client.get(reverse("business:measures")))
    assert shown.has("#measures tr[data-measure='sasac_grade']")
    assert not shown.has("#measure-form")
    assert client.post(reverse("business:measures"), {"code": "x1", "name": "x"}).status_code == 404
    revenue = BusinessMeasure.objects.get(code="revenue")
    assert client.post(reverse("business:measure_active", args=[revenue.pk])).status_code == 404


def test_the_import_pages_upload_preview_and_import(client_for, gina, tree):
    client = client_for(gina)
    data = b"organization_code,year,revenue,sasac_grade\r\nA1,2023,10,A\r\nA1,2024,11,B\r\n"
    answer = client.post(
        reverse("business:import"),
        {"kind": "business_figures", "file": SimpleUploadedFile("figures.csv", data)},
    )
    batch = ImportBatch.objects.get(kind="business_figures")
    assert answer.url == reverse("business:import_preview", args=[batch.pk])
    shown = page(client.get(answer.url))
    assert shown.text("[data-count='create']") == "2"
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("business:import_commit", args=[batch.pk]))
    assert page(client.get(answer.url)).has("#import-result")
    assert BusinessFigure.objects.count() == 4


def test_a_bad_file_shows_its_errors_by_line(client_for, gina):
    client = client_for(gina)
    data = b"organization_code,year,revenue\r\nA1,2023,ten\r\n"
    answer = client.post(
        reverse("business:import"),
        {"kind": "business_figures", "file": SimpleUploadedFile("figures.csv", data)},
    )
    shown = page(client.get(answer.url))
    assert "ten" in shown.text("#import-errors")
    assert not shown.has(f"form[action='{reverse('business:import_commit', args=[1])}']")


def test_import_pages_are_the_uploaders_and_the_finance_roles(client_for, gina, carol, erin):
    assert client_for(carol).get(reverse("business:import")).status_code == 404
    from business.services import imports

    batch = imports.upload_batch(
        kind="business_figures", data=b"x", filename="f.csv", acting_user=gina, language="en"
    )
    assert (
        client_for(erin).get(reverse("business:import_preview", args=[batch.pk])).status_code == 404
    )
    assert (
        client_for(gina).get(reverse("business:import_preview", args=[batch.pk])).status_code == 200
    )


@pytest.mark.parametrize(
    ("name", "args", "limit"),
    [("enter", True, 7), ("measures", False, 5), ("import", False, 6)],
)
def test_the_other_pages_answer_in_a_fixed_number_of_queries(
    client_for, erin, figures, tree, name, args, limit, django_assert_max_num_queries
):
    client = client_for(erin)
    url = reverse(f"business:{name}", args=[tree.a1.pk] if args else [])
    client.get(url)
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_the_pages_speak_chinese_by_default(client_for, gina, figures, tree, settings):
    client = client_for(gina)
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    shown = page(client.get(reverse("business:table"), {"year": 2024}))
    assert "2024 年经营业绩" in shown.text("h1")
    url = reverse("business:enter", args=[tree.a1.pk]) + "?year=2024"
    answer = client.post(url, {"m-sasac_grade": "Z", "v-sasac_grade": 1, "v-revenue": 1})
    assert "请填写 A、B、C 或 D" in " ".join(page(answer).field_errors("m-sasac_grade"))


def test_finance_finds_the_entry_form_on_the_organizations_page(client_for, gina, tree):
    shown = page(client_for(gina).get(reverse("business:organization", args=[tree.a1a.pk])))
    assert shown.has(f"form[action='{reverse('business:enter', args=[tree.a1a.pk])}']")


def test_the_reaper_watches_the_figures_imports():
    from core import jobs

    assert "business_imports" in jobs.autodiscover()
