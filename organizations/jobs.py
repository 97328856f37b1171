"""Import batches as long jobs watched by the reaper (`core.jobs`): a batch being checked
or imported whose worker died is sent again, or failed after the last attempt. An import runs in
one transaction, so a dead attempt has written nothing."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import jobs

from .models import ImportBatch
from .services import imports

Status = ImportBatch.Status


class ImportJobs(jobs.JobKind):
    name = "imports"

    def stale(self, *, now: datetime.datetime, cutoff: datetime.datetime) -> Iterable:
        silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
        return (
            ImportBatch.objects.filter(silent, status__in=[Status.CHECKING, Status.IMPORTING])
            .filter(kind__in=imports.KINDS)  # the records app's kinds are its own jobs'
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
        # The next attempt has a full stale limit to start in before it counts as silent.
        if not self._taken(batch).update(heartbeat_at=timezone.now(), error=reason):
            return False
        transaction.on_commit(lambda: imports.send(batch))
        return True

    def fail(self, batch: ImportBatch, reason: str) -> bool:
        return bool(self._taken(batch).update(status=Status.FAILED, error=reason))


jobs.register(ImportJobs())
