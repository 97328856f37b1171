"""Evidence files: accepted by their content, stored under their hash, downloaded within scope."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assessment.models import Evidence
from assessment.services import submissions
from assessment.services.evidence import EvidenceRefused, add_evidence, delete_evidence
from assessment.services.submissions import NotAllowed, WorkflowError
from tests.html import page

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100
HTML = b"<!doctype html><html><script>alert(1)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def office_zip(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    # The browser's claimed type is ignored: only the bytes count.
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def en(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_a_pdf_is_stored_under_its_hash_with_its_name_type_and_size(submission, alice):
    item = add_evidence(submission, "C2.01", upload("会议记录.pdf", PDF), acting_user=alice)
    digest = hashlib.sha256(PDF).hexdigest()
    assert item.sha256 == digest
    assert item.content_type == "application/pdf"
    assert item.size == len(PDF)
    assert item.original_name == "会议记录.pdf"
    assert item.file.name == f"evidence/{digest[:2]}/{digest}"
    assert item.uploaded_by == alice
    with default_storage.open(item.file.name, "rb") as stored:
        assert stored.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("anim.gif", GIF, "image/gif"),
        ("photo.webp", WEBP, "image/webp"),
        ("report.xls", OLE2, "application/vnd.ms-excel"),
        ("report.doc", OLE2, "application/msword"),
        (
            "report.docx",
            office_zip("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "sheet.xlsx",
            office_zip("[Content_Types].xml", "xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "deck.pptx",
            office_zip("[Content_Types].xml", "ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
    ],
)
def test_images_and_office_files_are_recognised_by_content(
    submission, alice, name, content, expected
):
    item = add_evidence(submission, "C2.01", upload(name, content), acting_user=alice)
    assert item.content_type == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("minutes.pdf", EXE),  # a program renamed .pdf
        ("minutes.pdf", HTML),
        ("drawing.svg", SVG),
        ("archive.zip", office_zip("a.txt")),
        ("fake.docx", office_zip("word/document.xml")),  # no [Content_Types].xml
        ("broken.docx", b"PK\x03\x04garbage"),
        ("notes.txt", b"just text"),
    ],
)
def test_anything_else_is_refused_naming_the_allowed_types(submission, alice, name, content):
    with pytest.raises(EvidenceRefused) as refused:
        add_evidence(submission, "C2.01", upload(name, content), acting_user=alice)
    assert "PDF, PNG, JPEG, GIF, WebP" in str(refused.value)
    assert not Evidence.objects.exists()


def test_a_file_above_the_limit_is_refused_with_the_limit_in_mb(submission, alice, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(EvidenceRefused) as refused:
        add_evidence(submission, "C2.01", upload("big.pdf", big), acting_user=alice)
    assert "at most 1 MB" in str(refused.value)
    assert not Evidence.objects.exists()


def test_an_empty_file_is_refused(submission, alice):
    with pytest.raises(EvidenceRefused):
        add_evidence(submission, "C2.01", upload("empty.pdf", b""), acting_user=alice)


def test_the_same_content_is_stored_once(submission, alice):
    first = add_evidence(submission, "C2.01", upload("a.pdf", PDF), acting_user=alice)
    second = add_evidence(submission, "C1.01", upload("b.pdf", PDF), acting_user=alice)
    assert first.file.name == second.file.name
    assert (first.original_name, second.original_name) == ("a.pdf", "b.pdf")


def test_only_the_secretary_adds_evidence(submission, carol, bob):
    for user in (carol, bob):
        with pytest.raises(NotAllowed):
            add_evidence(submission, "C2.01", upload("a.pdf", PDF), acting_user=user)


def test_evidence_is_only_added_while_the_submission_is_editable(submission, alice):
    submissions.save_values(
        submission, {"C1.01": "10", "C2.01": "yes"}, version=1, acting_user=alice
    )
    add_evidence(submission, "C2.01", upload("a.pdf", PDF), acting_user=alice)
    submissions.submit(submission, acting_user=alice)
    with pytest.raises(WorkflowError):
        add_evidence(submission, "C2.01", upload("b.pdf", PDF), acting_user=alice)
    assert Evidence.objects.count() == 1


def test_an_unknown_indicator_is_refused(submission, alice):
    with pytest.raises(WorkflowError):
        add_evidence(submission, "X9.99", upload("a.pdf", PDF), acting_user=alice)


def test_deleting_removes_the_stored_file_when_nothing_else_uses_it(
    submission, alice, django_capture_on_commit_callbacks
):
    first = add_evidence(submission, "C2.01", upload("a.pdf", PDF), acting_user=alice)
    second = add_evidence(submission, "C1.01", upload("b.pdf", PDF), acting_user=alice)
    name = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(first, acting_user=alice)
    assert default_storage.exists(name)  # still used by the second
    with django_capture_on_commit_callbacks(execute=True):
        delete_evidence(second, acting_user=alice)
    assert not default_storage.exists(name)
    assert not Evidence.objects.exists()


# -- the pages ---------------------------------------------------------------------------------


def upload_url(submission) -> str:
    return reverse("assessment:evidence_upload", args=[submission.pk])


def download_url(item) -> str:
    return reverse("assessment:evidence_download", args=[item.pk])


def test_the_secretary_uploads_from_the_page(submission, alice, client_for, en):
    response = client_for(alice).post(
        upload_url(submission),
        {"indicator": "C2.01", "file": upload("minutes.pdf", PDF)},
        follow=True,
    )
    shown = page(response)
    assert "minutes.pdf was attached to C2.01." in shown.messages()
    item = Evidence.objects.get()
    assert item.sha256 == hashlib.sha256(PDF).hexdigest()
    row = shown.within('.entry-row[data-code="C2.01"]')
    assert row.text(f'[data-evidence] a[href="{download_url(item)}"]') == "minutes.pdf"


def test_a_refused_upload_says_why_and_stores_nothing(submission, alice, client_for, en):
    response = client_for(alice).post(
        upload_url(submission),
        {"indicator": "C2.01", "file": upload("setup.pdf", EXE)},
        follow=True,
    )
    assert response.status_code == 200
    assert any("not accepted as evidence" in message for message in page(response).messages())
    assert not Evidence.objects.exists()


def test_an_oversize_upload_is_refused_on_the_page(submission, alice, client_for, en, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    big = upload("big.pdf", PDF + b"0" * (1024 * 1024))
    response = client_for(alice).post(
        upload_url(submission), {"indicator": "C2.01", "file": big}, follow=True
    )
    assert any("at most 1 MB" in message for message in page(response).messages())
    assert not Evidence.objects.exists()


def test_an_upload_without_a_file_is_refused(submission, alice, client_for, en):
    response = client_for(alice).post(upload_url(submission), {"indicator": "C2.01"}, follow=True)
    assert "Choose a file to upload." in page(response).messages()


@pytest.mark.parametrize("who", ["bob", "carol", "dave", "frank"])
def test_only_the_secretary_may_upload(who, request, submission, client_for):
    user = request.getfixturevalue(who)
    response = client_for(user).post(
        upload_url(submission), {"indicator": "C2.01", "file": upload("a.pdf", PDF)}
    )
    assert response.status_code == 404
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("who", ["alice", "carol", "dave", "erin"])
def test_a_download_is_an_attachment_with_its_name_and_recorded_type(
    who, request, submission, alice, client_for
):
    item = add_evidence(submission, "C2.01", upload("会议 记录.pdf", PDF), acting_user=alice)
    user = request.getfixturevalue(who)
    response = client_for(user).get(download_url(item))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E4%BC%9A%E8%AE%AE%20%E8%AE%B0%E5%BD%95.pdf" in disposition


@pytest.mark.parametrize("who", ["bob", "frank"])
def test_a_download_outside_the_scope_is_404(who, request, submission, alice, client_for):
    item = add_evidence(submission, "C2.01", upload("a.pdf", PDF), acting_user=alice)
    user = request.getfixturevalue(who)
    assert client_for(user).get(download_url(item)).status_code == 404


def test_behind_nginx_a_download_in_scope_is_handed_to_nginx(
    settings, submission, alice, bob, client_for
):
    """With PROTECTED_DOWNLOAD_PREFIX nginx sends the bytes, after the same scope check."""
    settings.PROTECTED_DOWNLOAD_PREFIX = "/protected"
    item = add_evidence(submission, "C2.01", upload("a.pdf", PDF), acting_user=alice)
    response = client_for(alice).get(download_url(item))
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected/{item.file.name}"
    assert response["Content-Disposition"] == 'attachment; filename="a.pdf"'
    outside = client_for(bob).get(download_url(item))
    assert outside.status_code == 404
    assert not outside.has_header("X-Accel-Redirect")


def test_the_secretary_removes_a_file_while_editable(submission, alice, carol, client_for):
    item = add_evidence(submission, "C2.01", upload("a.pdf", PDF), acting_user=alice)
    delete_url = reverse("assessment:evidence_delete", args=[item.pk])
    assert client_for(carol).post(delete_url).status_code == 404
    assert client_for(alice).post(delete_url).status_code == 302
    assert not Evidence.objects.exists()


# -- typed values travel with every evidence step (issue 12, item 1) ----------------------------


def page_url(submission) -> str:
    return reverse("assessment:submission", args=[submission.pk])


def stored_values(submission) -> dict:
    return {v.indicator.code: v.value for v in submission.values.select_related("indicator")}


def test_an_upload_from_the_entry_form_saves_the_values_typed_with_it(
    submission, alice, client_for, en
):
    """GIVEN values typed but not saved
    WHEN the upload button of the entry form posts them with a file (no JavaScript needed)
    THEN the file is attached, the values are saved as a draft and the page comes back at the row.
    """
    response = client_for(alice).post(
        upload_url(submission) + "?row=ind-1",
        {
            "version": 1,
            "v-C1.01": "32",
            "v-C2.01": "yes",
            "indicator": "C2.01",
            "file-C2.01": upload("minutes.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"{page_url(submission)}#ind-1")
    assert Evidence.objects.get().original_name == "minutes.pdf"
    assert stored_values(submission) == {"C1.01": 32, "C2.01": True}
    submission.refresh_from_db()
    assert submission.version == 2
    shown = page(client_for(alice).get(response["Location"]))
    assert "minutes.pdf was attached to C2.01." in shown.messages()
    assert "Your values were saved as a draft." in shown.messages()
    assert shown.field("v-C1.01")["value"] == "32"


def test_removing_a_file_from_the_entry_form_saves_the_values_typed_with_it(
    submission, alice, client_for
):
    item = add_evidence(submission, "C2.01", upload("a.pdf", PDF), acting_user=alice)
    response = client_for(alice).post(
        reverse("assessment:evidence_delete", args=[item.pk]),
        {"version": 1, "v-C1.01": "7", "v-C2.01": "no"},
    )
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert stored_values(submission) == {"C1.01": 7, "C2.01": False}


def test_an_evidence_step_with_nothing_changed_keeps_the_version(submission, alice, client_for):
    """A page open elsewhere must not turn stale because a file was attached here."""
    submissions.save_values(submission, {"C1.01": "5"}, version=1, acting_user=alice)
    client_for(alice).post(
        upload_url(submission),
        {"version": 2, "v-C1.01": "5", "indicator": "C2.01", "file-C2.01": upload("a.pdf", PDF)},
    )
    assert Evidence.objects.count() == 1
    submission.refresh_from_db()
    assert submission.version == 2


def test_a_value_that_cannot_be_saved_stays_typed_beside_the_attached_file(
    submission, alice, client_for, en
):
    response = client_for(alice).post(
        upload_url(submission),
        {
            "version": 1,
            "v-C1.01": "3.5",
            "v-C2.01": "yes",
            "indicator": "C2.01",
            "file-C2.01": upload("minutes.pdf", PDF),
        },
    )
    assert response.status_code == 400
    shown = page(response)
    row = shown.within('.entry-row[data-code="C1.01"]')
    assert row.text("[role=alert]") == "Enter a whole number."
    assert row.field("v-C1.01")["value"] == "3.5"
    assert shown.field("v-C2.01").select_one("option[selected]")["value"] == "yes"
    assert Evidence.objects.count() == 1
    assert stored_values(submission) == {}


def test_an_upload_from_a_stale_page_keeps_the_typed_values_and_shows_the_conflict(
    submission, alice, client_for, en
):
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=alice)
    response = client_for(alice).post(
        upload_url(submission),
        {"version": 1, "v-C1.01": "32", "indicator": "C2.01", "file-C2.01": upload("a.pdf", PDF)},
    )
    assert response.status_code == 409
    assert page(response).field("v-C1.01")["value"] == "32"
    assert stored_values(submission) == {"C1.01": 8}
