"""A PDF report is set in the font the project ships, or it is not made at all.

The machine's CJK fonts are taken away by pointing fontconfig at a configuration with Latin
fonts only (as on a fresh server without fonts-noto-cjk): the text must still come out in the
shipped font, and a report whose text that font cannot draw fails with a reason, not boxes.
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import checks

from reports import fonts

pytestmark = pytest.mark.django_db


LATIN_FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/liberation"),
]


@pytest.fixture
def latin_fonts_only(tmp_path, monkeypatch):
    """Fontconfig as on a server without CJK fonts (WeasyPrint reads it for every document)."""
    dirs = [tmp_path / "fonts", *(d for d in LATIN_FONT_DIRS if d.is_dir())]
    dirs[0].mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        + "".join(f"<dir>{d}</dir>" for d in dirs)
        + f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))


def pdf_fonts(path) -> list[str]:
    """The names of the fonts embedded in the PDF, as pdffonts (poppler-utils) lists them."""
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) is not installed")
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    return [line.split()[0] for line in lines]


def test_a_chinese_pdf_is_set_in_the_shipped_font_on_a_machine_without_cjk_fonts(
    latin_fonts_only, scored, tree, dave, make_report
):
    report = make_report(dave, tree.a, "pdf")

    assert report.status == "done", report.error
    embedded = {name.split("+", 1)[-1] for name in pdf_fonts(report.file.path)}
    assert {"Partybuild-Report-Sans", "Partybuild-Report-Sans-Bold"} <= embedded
    # Nothing else but the digits of the hash may come from a machine's font.
    assert embedded - {"Partybuild-Report-Sans", "Partybuild-Report-Sans-Bold"} <= {
        "DejaVu-Sans-Mono"
    }


def test_the_charts_are_labelled_in_the_shipped_font_too():
    from reports import charts

    assert f"font-family='{fonts.FAMILY}," in charts.FONT


def test_a_report_whose_font_is_not_installed_fails_and_says_why(
    latin_fonts_only, scored, tree, dave, make_report, settings, tmp_path
):
    settings.REPORTS_FONT_DIR = str(tmp_path / "absent")

    report = make_report(dave, tree.a, "pdf")

    assert report.status == "failed"
    assert not report.file
    assert "字体" in report.error  # in the report's language (Chinese by default)
    assert "NotoSansHans-Regular.otf" in report.error
    assert not list((Path(settings.MEDIA_ROOT) / "reports" / "tmp").glob("*.pdf"))


def test_a_character_the_font_cannot_draw_fails_the_report_and_is_named(
    scored, tree, dave, make_report, settings
):
    tree.a.name = "甲公司𠀀党委"  # U+20000: CJK Extension B, in no font of the machine either
    tree.a.save(update_fields=["name"])

    report = make_report(dave, tree.a, "pdf")

    assert report.status == "failed"
    assert "U+20000" in report.error
    assert "字形" in report.error
    assert not list((Path(settings.MEDIA_ROOT) / "reports" / "tmp").glob("*.pdf"))


def test_an_english_report_says_why_in_english(
    latin_fonts_only, scored, tree, dave, make_report, settings, tmp_path
):
    settings.REPORTS_FONT_DIR = str(tmp_path / "absent")

    report = make_report(dave, tree.a, "pdf", language="en")

    assert report.status == "failed"
    assert "report font is not installed" in report.error


def test_the_shipped_font_is_installed_and_has_what_reports_print():
    assert fonts.problems() == []


def test_a_truncated_font_file_is_a_problem(settings, tmp_path):
    for name in fonts.FILES.values():
        (tmp_path / name).write_bytes(b"OTTO\x00\x01")
    settings.REPORTS_FONT_DIR = str(tmp_path)

    found = fonts.problems()

    assert len(found) == len(fonts.FILES)
    assert all("not a readable font" in problem for problem in found)


def test_manage_py_check_says_when_the_report_font_is_missing(settings, tmp_path):
    settings.REPORTS_FONT_DIR = str(tmp_path)

    messages = [m for m in checks.run_checks() if m.id == "reports.W001"]

    assert messages
    assert any("NotoSansHans-Regular.otf" in m.msg for m in messages)
    assert all("make assets" in m.hint for m in messages)


def test_manage_py_check_says_when_a_font_file_is_not_a_font(settings, tmp_path):
    for name in fonts.FILES.values():
        (tmp_path / name).write_text("<html>404 Not Found</html>")
    settings.REPORTS_FONT_DIR = str(tmp_path)

    messages = [m for m in checks.run_checks() if m.id == "reports.W001"]

    assert len(messages) == len(fonts.FILES)
    assert all("not an OpenType font file" in m.msg for m in messages)


def test_manage_py_check_is_quiet_when_the_font_is_there():
    assert not [m for m in checks.run_checks() if m.id == "reports.W001"]
