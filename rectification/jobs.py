"""The opening of a period's rectification items as a long job watched by the reaper
(`core.jobs`): an opening whose worker died is sent again, or failed after the last
attempt. It inserts in one transaction, so a dead attempt has written nothing."""

from core import jobs

from . import services
from .models import OpeningRun


class OpeningJobs(jobs.RowJob):
    name = "rectification-openings"
    model = OpeningRun
    running = OpeningRun.Status.RUNNING
    queued = OpeningRun.Status.QUEUED
    failed = OpeningRun.Status.FAILED

    def send(self, job: OpeningRun) -> None:
        services.send_opening(job)


jobs.register(OpeningJobs())
