"""The records app's kinds of long job, watched by the reaper (`core.jobs`)."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import jobs
from organizations.models import ImportBatch

from .importers import KINDS
from .services import imports

Status = ImportBatch.Status


class RecordImportJobs(jobs.JobKind):
    """Payroll and study files being checked or imported (`organizations.ImportBatch` of the
    records kinds): a batch whose worker died is sent again, or failed after the last attempt.
    An import runs in one transaction, so a dead attempt has written nothing."""

    name = "record_imports"

    def stale(self, *, now: datetime.datetime, cutoff: datetime.datetime) -> Iterable:
        silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
        return (
            ImportBatch.objects.filter(
                silent, kind__in=KINDS, status__in=[Status.CHECKING, Status.IMPORTING]
            )
            .defer("content")
            .order_by("pk")
        )

    def _taken(self, batch: ImportBatch):
        return ImportBatch.objects.filter(
            pk=batch.pk,
            status=batch.status,
            attempts=batch.attempts,
            heartbeat_at=batch.heartbeat_at,
        )

    def requeue(self, batch: ImportBatch, reason: str) -> bool:
        if not self._taken(batch).update(heartbeat_at=timezone.now(), error=reason):
            return False
        transaction.on_commit(lambda: imports.send(batch))
        return True

    def fail(self, batch: ImportBatch, reason: str) -> bool:
        return bool(self._taken(batch).update(status=Status.FAILED, error=reason))


jobs.register(RecordImportJobs())
