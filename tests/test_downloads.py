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
