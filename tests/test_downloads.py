"""core.downloads: a stored file goes back as a download, never sniffed; a missing one is a 404."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import Http404

from core.downloads import stored_file_download


def _stored(storage: InMemoryStorage, name: str) -> FieldFile:
    return FieldFile(None, FileField(storage=storage), name)


def test_a_stored_file_is_a_download_never_sniffed_nor_cached():
    storage = InMemoryStorage()
    name = storage.save("uploads/x.bin", ContentFile(b"<html>not a page</html>"))
    response = stored_file_download(
        _stored(storage, name), filename="会议纪要.pdf", content_type="application/pdf"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<html>not a page</html>"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E4%BC%9A" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_a_file_missing_from_storage_is_a_404():
    with pytest.raises(Http404):
        stored_file_download(
            _stored(InMemoryStorage(), "uploads/gone.pdf"),
            filename="gone.pdf",
            content_type="application/pdf",
        )


def test_behind_nginx_the_file_is_named_to_nginx_not_sent(settings):
    """GIVEN PROTECTED_DOWNLOAD_PREFIX (nginx's internal location over MEDIA_ROOT)
    WHEN a stored file is downloaded
    THEN the answer is empty and X-Accel-Redirect names the file; the headers stay."""
    settings.PROTECTED_DOWNLOAD_PREFIX = "/protected/"
    storage = InMemoryStorage()
    name = storage.save("reports/report-1-甲-20260101.pdf", ContentFile(b"%PDF-1.7 secret"))
    response = stored_file_download(
        _stored(storage, name), filename="报告.pdf", content_type="application/pdf"
    )
    assert response.status_code == 200
    assert response.content == b""
    # Percent-encoded (a header is ASCII); nginx decodes it.
    assert response["X-Accel-Redirect"] == ("/protected/reports/report-1-%E7%94%B2-20260101.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''%E6%8A%A5%E5%91%8A.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, no-store"


def test_behind_nginx_a_file_missing_from_storage_is_still_the_portals_404(settings):
    settings.PROTECTED_DOWNLOAD_PREFIX = "/protected"
    with pytest.raises(Http404):
        stored_file_download(
            _stored(InMemoryStorage(), "evidence/ab/gone"),
            filename="gone.pdf",
            content_type="application/pdf",
        )
