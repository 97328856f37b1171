"""Imported by the worker of the embedded-default test (CELERY_IMPORTS): a report being made waits
at a gate until the test opens it, so the test can show that pages answer while a report runs."""

import os
import time
from pathlib import Path

from reports import spreadsheets

_write_xlsx = spreadsheets.write_xlsx
GATE_WAIT_SECONDS = 300


def _held_write_xlsx(*args, progress, **kwargs):
    progress(5)
    gate = Path(os.environ["REPORT_GATE"])
    deadline = time.monotonic() + GATE_WAIT_SECONDS
    while not gate.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return _write_xlsx(*args, progress=progress, **kwargs)


spreadsheets.write_xlsx = _held_write_xlsx
