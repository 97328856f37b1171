"""A Celery worker whose first attempt at any report hangs until the process is killed: the
kill test (test_jobs_worker.py) starts it as ``python -m tests.reports.slow_worker -A partybuild
worker ...``; later attempts make the report as usual."""

import sys
import time

from celery import signals

HANG_AT_MOST = 120  # seconds: the test kills the worker long before


@signals.worker_process_init.connect
def _hang_on_first_attempts(**kwargs) -> None:
    from reports import services
    from reports.models import Report

    write = services._write

    def hanging(report, path):
        if Report.objects.values_list("attempts", flat=True).get(pk=report.pk) == 1:
            deadline = time.monotonic() + HANG_AT_MOST
            while time.monotonic() < deadline:  # the heartbeat thread beats meanwhile
                time.sleep(0.1)
            raise RuntimeError("the test did not kill this worker")
        return write(report, path)

    services._write = hanging


if __name__ == "__main__":
    from celery.__main__ import main

    sys.argv[0] = "celery"
    sys.exit(main())
