"""Uploaded Excel workbooks, opened through one guard against archive ("zip") bombs.

An .xlsx is a zip of XML parts, and a file of a few hundred kilobytes can unpack to hundreds of
megabytes that openpyxl would then parse for a minute (an 860 KB organization import unpacked to
294 MB took 51 s and 458 MB of memory). Every workbook the portal reads from a user goes through
`open_workbook`, which checks the archive before openpyxl sees a byte of it:

- at most `MAX_MEMBERS` parts (Apache POI's default too);
- the sizes the archive declares add up to at most `max_unpacked_bytes()`;
- no part beyond `RATIO_GRACE_BYTES` is compressed more than `MAX_RATIO` times (POI's 1:100
  rule: a real workbook's sheets compress 10–30 times, a bomb's thousands of times);
- the parts actually unpack to no more than that budget, counted while inflating (a forged size
  or checksum is caught here, before the parser).
"""

import io
import zipfile
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

MAX_MEMBERS = 1_000
MAX_RATIO = 100
RATIO_GRACE_BYTES = 100 * 1024
# The largest workbook the portal accepts (50,000 rows of values) unpacks to about 37 MB.
MAX_UNPACKED_FACTOR = 10
_CHUNK = 1024 * 1024


class WorkbookRefused(ValueError):
    """The file is refused before it is parsed; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAnArchive(WorkbookRefused):
    """The bytes are not a zip archive at all, so not an .xlsx workbook."""


def max_unpacked_bytes() -> int:
    """The most all parts of one workbook may unpack to: ten times the upload limit."""
    return MAX_UNPACKED_FACTOR * settings.UPLOAD_MAX_BYTES


def check_archive(data: bytes) -> None:
    """Refuse a zip that would unpack too far or into too many parts. Raises WorkbookRefused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise NotAnArchive(_("The file is not a valid XLSX workbook.")) from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise WorkbookRefused(
                _("The workbook has more than %(count)s parts and is refused.")
                % {"count": MAX_MEMBERS}
            )
        budget = max_unpacked_bytes()
        if sum(member.file_size for member in members) > budget:
            raise _too_large(budget)
        for member in members:
            if member.file_size > RATIO_GRACE_BYTES and member.file_size > MAX_RATIO * max(
                member.compress_size, 1
            ):
                raise WorkbookRefused(
                    _(
                        "The workbook is compressed more than %(ratio)s times, as archive bombs "
                        "are, and is refused."
                    )
                    % {"ratio": MAX_RATIO}
                )
        _inflate_within(archive, members, budget)


def _inflate_within(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], budget: int) -> None:
    unpacked = 0
    for member in members:
        try:
            with archive.open(member) as part:
                while chunk := part.read(_CHUNK):
                    unpacked += len(chunk)
                    if unpacked > budget:
                        raise _too_large(budget)
        # A bad checksum, an unknown compression or encryption: the parser could not read it.
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
            raise WorkbookRefused(_("The file is not a valid XLSX workbook.")) from exc


def _too_large(budget: int) -> WorkbookRefused:
    return WorkbookRefused(
        _("The workbook expands to more than %(size)s when opened and is refused.")
        % {"size": filesizeformat(budget)}
    )


def open_workbook(data: bytes, **options: Any) -> Workbook:
    """The workbook in `data`, read-only unless told otherwise, once the archive passed the guard.

    Raises WorkbookRefused; openpyxl's own errors on a damaged workbook pass through.
    """
    check_archive(data)
    options.setdefault("read_only", True)
    return load_workbook(io.BytesIO(data), **options)
