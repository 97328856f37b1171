"""Import batches of organizations and people as long jobs watched by the reaper (`core.jobs`):
a batch being checked or imported whose worker died is sent again, or failed after the last
attempt (`organizations.batches.BatchJobs`)."""

from core import jobs

from .batches import BatchJobs
from .services import imports

jobs.register(BatchJobs(imports.BATCHES))
