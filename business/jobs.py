"""The business app's kinds of long job, watched by the reaper (`core.jobs`): files of figures
being checked or imported, sent again or failed after the last attempt
(`organizations.batches.BatchJobs`)."""

from core import jobs
from organizations.batches import BatchJobs

from .services import imports

jobs.register(BatchJobs(imports.BATCHES))
