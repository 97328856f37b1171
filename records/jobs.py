"""The records app's kinds of long job, watched by the reaper (`core.jobs`): payroll and study
files being checked or imported (`organizations.ImportBatch` of the records kinds), sent again or
failed after the last attempt (`organizations.batches.BatchJobs`)."""

from core import jobs
from organizations.batches import BatchJobs

from .services import imports

jobs.register(BatchJobs(imports.BATCHES))
