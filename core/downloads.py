"""A stored file served back as a download.

`stored_file_download` answers an uploaded file (evidence, attachments, documents) as it was
uploaded: always as an attachment under its original name, never sniffed or rendered by the
browser (`nosniff`, a sandboxing CSP) and never cached by a shared cache. A file missing from
storage is a 404. The caller has already found the row in the user's scope.
"""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

__all__ = ["stored_file_download"]


def stored_file_download(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """The stored `file` as a download named `filename`; a 404 when storage no longer has it."""
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
