"""The proposals after a year's scores as a long job watched by the reaper (`core.jobs`): a run
whose worker died is sent again, or failed after the last attempt."""

from core import jobs

from .models import ProposalRun
from .services import proposals


class ProposalJobs(jobs.RowJob):
    name = "standards-proposals"
    model = ProposalRun
    running = ProposalRun.Status.RUNNING
    queued = ProposalRun.Status.QUEUED
    failed = ProposalRun.Status.FAILED

    def send(self, job: ProposalRun) -> None:
        proposals.send(job)


jobs.register(ProposalJobs())
