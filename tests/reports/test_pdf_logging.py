"""Making a PDF keeps the PDF libraries' chatter out of the log (`make demo` printed 11,763
lines of it)."""

import logging

import pytest

pytestmark = pytest.mark.django_db

LIBRARIES = ("weasyprint", "fontTools")


def test_making_a_pdf_logs_nothing_below_a_warning_from_the_pdf_libraries(
    scored, tree, dave, make_report, caplog
):
    with caplog.at_level(logging.DEBUG):  # even when the portal's own log is verbose
        report = make_report(dave, tree.a, "pdf")

    assert report.status == "done", report.error
    chatter = [
        record
        for record in caplog.records
        if record.name.startswith(LIBRARIES) and record.levelno < logging.WARNING
    ]
    assert chatter == []
