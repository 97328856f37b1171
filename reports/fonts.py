"""The font every PDF report is set in, and the proof that it covers each report's text.

The font ships with the project: the npm package `@embedpdf/fonts-sc` (Noto Sans CJK SC, regular
and bold, every CJK unified ideograph), installed by `make assets` like the other front-end
packages, so a report never depends on the fonts a machine happens to have. It is declared under
a family name of its own, so no system font can stand in for it.

After WeasyPrint has drawn a PDF, every font it embedded is asked which characters it had no glyph
for (it draws those as empty boxes): any such character fails the report with a reason instead of
storing a PDF nobody can read. `problems()` says what is wrong with the installed font; the system
check (`manage.py check`) and the detailed `/healthz` report it.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from weasyprint.document import Document

FAMILY = "Partybuild Report Sans"
# CSS weight → file in settings.REPORTS_FONT_DIR. The template asks for normal and bold only.
FILES = {400: "NotoSansHans-Regular.otf", 700: "NotoSansHans-Bold.otf"}
# Text every report prints (headings, stars, dashes): a font without these is not the right one.
PROBE = "党建量化考核报告评分等级★☆–·、（）0123456789ABCabc%"
MISSING_SHOWN = 20


class FontError(Exception):
    """The PDF cannot be made legibly; the message is for the user, in the report's language."""


def font_paths() -> dict[int, Path]:
    folder = Path(settings.REPORTS_FONT_DIR)
    return {weight: folder / name for weight, name in FILES.items()}


# The first bytes of an OpenType (CFF or TrueType outlines) file.
SFNT_TAGS = (b"OTTO", b"\x00\x01\x00\x00", b"true")


def problems(*, deep: bool = True) -> list[str]:
    """What is wrong with the installed report font, in English for operators; [] when usable.

    `deep` also reads each file's character map (about a second, then cached per file version);
    without it only the files' presence and kind are checked, cheap enough for every command.
    """
    found = []
    for path in font_paths().values():
        if not path.is_file():
            found.append(f"{path} is missing (run `make assets`, i.e. npm ci)")
            continue
        with path.open("rb") as handle:
            if handle.read(4) not in SFNT_TAGS:
                found.append(f"{path} is not an OpenType font file")
                continue
        if not deep:
            continue
        try:
            cmap = _cmap(str(path), path.stat().st_mtime_ns)
        except Exception as exc:  # a truncated or foreign file: fontTools says why
            found.append(f"{path} is not a readable font ({exc.__class__.__name__}: {exc})")
            continue
        absent = "".join(ch for ch in PROBE if ord(ch) not in cmap)
        if absent:
            found.append(f"{path} lacks characters every report prints: {absent}")
    return found


@functools.lru_cache(maxsize=8)
def _cmap(path: str, mtime_ns: int) -> frozenset[int]:
    """The code points the font file maps to glyphs (cached per file version)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or ())


def font_face_css() -> str:
    """@font-face rules for the report font; FontError when its files are not installed."""
    paths = font_paths()
    absent = [path.name for path in paths.values() if not path.is_file()]
    if absent:
        raise FontError(
            _(
                "The PDF was not made: the report font is not installed (%(files)s missing). "
                "An administrator must install it (see the operations guide)."
            )
            % {"files": ", ".join(absent)}
        )
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; '
        f'src: url("{path.as_uri()}"); }}'
        for weight, path in paths.items()
    )


def check_document(document: Document) -> None:
    """FontError when any character of the drawn PDF had no glyph in the font it was set in.

    `Font.missing` is where WeasyPrint records the characters it drew as .notdef (an empty box);
    it is filled while the PDF is written, so call this after `write_pdf`.
    """
    missing = sorted({chr(code) for font in document.fonts.values() for code in font.missing})
    if not missing:
        return
    shown = " ".join(f"{ch} (U+{ord(ch):04X})" for ch in missing[:MISSING_SHOWN])
    if len(missing) > MISSING_SHOWN:
        shown += " …"
    raise FontError(
        _(
            "The PDF was not made: these characters of its text have no glyph in the report "
            "font and would print as empty boxes: %(chars)s. Change the text that uses them, or "
            "ask an administrator for a font that covers them (see the operations guide)."
        )
        % {"chars": shown}
    )
