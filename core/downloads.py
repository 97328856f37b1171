"""A stored file served back as a download.

`stored_file_download` answers a stored file (evidence, attachments, documents, reports) as it was
stored: always as an attachment under its name, never sniffed or rendered by the browser
(`nosniff`, a sandboxing CSP) and never cached by a shared cache. A file missing from storage is a
404. The caller has already found the row in the user's scope.

Behind nginx (`PROTECTED_DOWNLOAD_PREFIX` set, deploy/nginx/partybuild.conf) the portal sends no
bytes: it answers an empty response whose `X-Accel-Redirect` names the file under an `internal`
location over `MEDIA_ROOT`, and nginx serves it from disk. The scope check has run by then, and the
internal location cannot be reached from outside.
"""

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

__all__ = ["stored_file_download"]


def stored_file_download(file: FieldFile, *, filename: str, content_type: str) -> HttpResponse:
    """The stored `file` as a download named `filename`; a 404 when storage no longer has it."""
    prefix = settings.PROTECTED_DOWNLOAD_PREFIX
    if prefix:
        response = _accel_redirect(file, prefix, content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
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


def _accel_redirect(file: FieldFile, prefix: str, content_type: str) -> HttpResponse:
    # A missing file is the portal's own 404 (in the reader's language), not nginx's.
    if not file or not file.storage.exists(file.name):
        raise Http404
    response = HttpResponse(content_type=content_type)
    # Percent-encoded: nginx decodes it, and a header must be ASCII whatever the stored name.
    response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(file.name)}"
    return response
