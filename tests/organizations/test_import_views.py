"""The import pages: upload, dry-run preview, confirm; administrators only."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from organizations.models import ImportBatch, Organization, Person
from organizations.services import assign_role
from tests.html import page

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

ORGS = (
    "code,name,name_en,kind,parent_code\r\n"
    "C,丙公司党委,C Co.,committee,G\r\n"
    "C1,丙一支部,,branch,C\r\n"
)


@pytest.fixture
def english(client_for):
    """Log a user in with English chosen, so the page speaks the messages' source language."""

    def login(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def upload(client, text: str = ORGS, *, kind: str = "organizations", name: str = "orgs.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        reverse("organizations:import"),
        {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_an_administrator_sees_the_preview_and_nothing_is_saved_yet(tree, erin, english):
    client = english(erin)

    response = upload(client)

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("organizations:import-preview", args=[batch.pk])
    preview = client.get(response.url)
    assert preview.context["counts"] == {"create": 2, "update": 0, "unchanged": 0, "error": 0}
    commit_url = reverse("organizations:import-commit", args=[batch.pk])
    assert page(preview).text(f'form[action="{commit_url}"] button') == "Confirm and import"
    assert not Organization.objects.filter(code="C").exists()
    assert (batch.status, batch.uploaded_by, len(batch.sha256)) == ("pending", erin, 64)


def test_confirming_the_preview_imports_the_file(tree, erin, english):
    client = english(erin)
    batch_url = upload(client).url
    batch = ImportBatch.objects.get()

    response = client.post(reverse("organizations:import-commit", args=[batch.pk]), follow=True)

    assert response.redirect_chain[-1][0] == batch_url
    assert page(response).text("#import-result").endswith(": 2 created, 0 updated, 0 unchanged.")
    assert response.context["batch"].status == "committed"
    assert Organization.objects.get(code="C1").parent.code == "C"
    batch.refresh_from_db()
    assert batch.status == "committed"
    assert batch.summary["counts"]["create"] == 2


def test_a_batch_is_imported_only_once(tree, erin, english):
    client = english(erin)
    upload(client)
    commit_url = reverse("organizations:import-commit", args=[ImportBatch.objects.get().pk])
    client.post(commit_url)

    response = client.post(commit_url, follow=True)

    assert "This file has already been imported." in page(response).messages()
    assert Organization.objects.filter(code="C").count() == 1


def test_errors_are_listed_by_line_and_cannot_be_confirmed(tree, erin, english):
    client = english(erin)
    bad = "code,name,name_en,kind,parent_code\r\nC,丙公司党委,,committee,NOPE\r\n"

    preview = client.get(upload(client, bad).url)

    assert [(i.line, i.message) for i in preview.context["errors"]] == [
        (2, "Unknown parent code “NOPE”.")
    ]
    batch = ImportBatch.objects.get()
    shown = page(preview)
    assert "Confirm and import" not in shown.text()
    assert not shown.refers_to(reverse("organizations:import-commit", args=[batch.pk]))
    assert batch.status == "invalid"
    response = client.post(reverse("organizations:import-commit", args=[batch.pk]), follow=True)
    assert response.context["errors"][0].message == "Unknown parent code “NOPE”."
    assert response.context["batch"].status == "invalid"
    assert not Organization.objects.filter(code="C").exists()


def test_confirming_plans_again_against_the_database_as_it_is_then(tree, erin, english):
    client = english(erin)
    upload(client)
    batch = ImportBatch.objects.get()
    # Between preview and confirmation, someone else creates C under another parent.
    Organization.objects.create(code="C", name="丙", kind=tree.a.kind, parent=tree.b)

    client.post(reverse("organizations:import-commit", args=[batch.pk]))

    c = Organization.objects.get(code="C")
    assert (c.name, c.parent) == ("丙公司党委", tree.group)
    assert c.path == f"{tree.group.path}{c.pk}/"


def test_people_are_uploaded_the_same_way(tree, erin, english):
    client = english(erin)
    text = "工号,姓名,组织编码,类别\r\nP001,王芳,A1a,正式党员\r\n"
    upload(client, text.encode("gbk"), kind="people", name="人员.csv")

    client.post(reverse("organizations:import-commit", args=[ImportBatch.objects.get().pk]))

    assert Person.objects.get(employee_number="P001").name == "王芳"


def test_a_file_over_the_limit_is_refused_by_the_form(tree, erin, english, settings):
    settings.UPLOAD_MAX_BYTES = 50

    response = upload(english(erin))

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        f"The file is {len(ORGS.encode())}\xa0bytes; the largest accepted is 50\xa0bytes."
    ]
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("user", ["alice", "carol", "dave", "frank"])
def test_the_import_pages_do_not_exist_for_non_administrators(tree, erin, english, request, user):
    upload(english(erin))
    batch = ImportBatch.objects.get()
    client = english(request.getfixturevalue(user))

    assert client.get(reverse("organizations:import")).status_code == 404
    assert upload(client).status_code == 404
    assert client.get(reverse("organizations:import-preview", args=[batch.pk])).status_code == 404
    commit_url = reverse("organizations:import-commit", args=[batch.pk])
    assert client.post(commit_url).status_code == 404
    assert not Organization.objects.filter(code="C").exists()


def test_an_administrator_cannot_open_another_administrators_upload(tree, erin, english):
    upload(english(erin))
    batch = ImportBatch.objects.get()
    other = UserFactory(username="ivan")
    assign_role(user=other, organization=tree.group, role="administrator")

    client = english(other)

    assert client.get(reverse("organizations:import-preview", args=[batch.pk])).status_code == 404
    commit_url = reverse("organizations:import-commit", args=[batch.pk])
    assert client.post(commit_url).status_code == 404


def test_a_scoped_administrator_cannot_touch_organizations_outside(tree, english):
    hana = UserFactory(username="hana")
    assign_role(user=hana, organization=tree.a, role="administrator")
    client = english(hana)
    text = (
        "code,name,name_en,kind,parent_code\r\nA1c,甲一第三支部,,branch,A1\r\nB1,改名,,branch,B\r\n"
    )

    preview = client.get(upload(client, text).url)

    assert [(i.line, i.message) for i in preview.context["errors"]] == [
        (3, "Unknown organization code “B1”: it cannot be created or changed here.")
    ]
    client.post(reverse("organizations:import-commit", args=[ImportBatch.objects.get().pk]))
    assert not Organization.objects.filter(code="A1c").exists()
    assert Organization.objects.get(code="B1").name == "乙一支部"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("organizations:import"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
