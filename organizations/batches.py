"""Uploaded files imported as batches: one lifecycle for every import that runs in a worker.

A batch (`ImportBatch`) keeps the uploaded file; a worker checks it (the dry run whose findings the
preview shows); once the uploader confirmed, a worker imports it, planned again inside the
importing transaction so that what is written matches the database at that moment. A file of many
thousand rows never holds a request, and the reaper (`core.jobs`) sends again, or fails, a batch
whose worker died. The organizations and people import and the records app's payroll and study
imports are each a `BatchImport`: their kinds, how a file is planned and applied, their two tasks
and what a commit records; `BatchJobs` is the reaper's view of one of them.
"""

import datetime
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import jobs

from .importers import CREATE, UPDATE, ImportPlan, Issue
from .models import ImportBatch

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 500
PREVIEW_ERRORS = 1000
Status = ImportBatch.Status


class ImportRejected(Exception):
    """The plan has errors; nothing was written. The plan says why."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(f"{len(plan.errors)} error(s)")
        self.plan = plan


class AlreadyImported(Exception):
    """The batch was committed before (a second click, another tab)."""


@dataclass(frozen=True)
class BatchImport:
    """One family of batch imports.

    `plan(kind, data, filename, user)` reads and checks a file; `apply(plan, user)` writes a
    checked plan (inside the importing transaction); `committed(batch)` records a commit (the audit
    entry, in the same transaction); `tasks()` answers the check and import tasks (imported when
    first needed: the tasks modules import their services).
    """

    name: str
    kinds: tuple[str, ...]
    plan: Callable[[str, bytes, str, Any], ImportPlan]
    apply: Callable[[ImportPlan, Any], None]
    committed: Callable[[ImportBatch], None]
    tasks: Callable[[], tuple[Any, Any]]

    def upload(
        self, *, kind: str, data: bytes, filename: str, acting_user, language: str = "zh-hans"
    ) -> ImportBatch:
        """Keep an uploaded file and have a worker check it for the preview.

        Called outside any transaction: the worker must find the row when the task arrives.
        """
        if kind not in self.kinds:
            raise ValueError(kind)
        batch = ImportBatch.objects.create(
            kind=kind,
            filename=filename[:255],
            content=data,
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=acting_user,
            language=language,
            status=Status.CHECKING,
            heartbeat_at=timezone.now(),
        )
        self.send(batch)
        return batch

    def confirm(self, batch: ImportBatch) -> ImportBatch:
        """The uploader confirmed the preview: a worker imports the batch (once).

        A batch with errors is planned again too: the database may have changed since.
        """
        changed = ImportBatch.objects.filter(
            pk=batch.pk,
            kind__in=self.kinds,
            status__in=[Status.PENDING, Status.INVALID, Status.FAILED],
        ).update(status=Status.IMPORTING, heartbeat_at=timezone.now(), attempts=0, error="")
        batch.refresh_from_db()
        if not changed:
            if batch.status == Status.COMMITTED:
                raise AlreadyImported(_("This file has already been imported."))
            return batch  # being checked or imported already: a second click changes nothing
        self.send(batch)
        return batch

    def send(self, batch: ImportBatch) -> None:
        check, run = self.tasks()
        task = check if batch.status == Status.CHECKING else run
        try:
            task.delay(batch.pk)
        except Exception:
            # The broker is down: the batch stays as it is and the reaper sends it again.
            logger.exception("%s batch %s: queueing failed", self.name, batch.pk)

    def check(self, batch_id: int) -> ImportBatch | None:
        """The dry run of an uploaded batch, in the uploader's scope and language (a worker's
        job)."""
        batch = self._claim(batch_id, Status.CHECKING)
        if batch is None:
            return None
        with jobs.beating(lambda: _touch(batch)), translation.override(batch.language):
            plan = self._plan(batch)
            fields = {
                "status": Status.PENDING if plan.ok else Status.INVALID,
                "summary": _summary(plan),
                "preview": _preview(plan),
            }
        ImportBatch.objects.filter(
            pk=batch.pk, status=Status.CHECKING, attempts=batch.attempts
        ).update(heartbeat_at=None, error="", **fields)
        batch.refresh_from_db()
        return batch

    def run(self, batch_id: int) -> ImportBatch | None:
        """Apply a confirmed batch once, planned again against the database as it is now; a plan
        with errors leaves everything as it was and the batch invalid with its findings (a
        worker's job)."""
        batch = self._claim(batch_id, Status.IMPORTING)
        if batch is None:
            return None
        # The batch row is not locked while the plan is applied: its heartbeat must stay
        # writable. The outcome is written only if the row is still this attempt's; otherwise
        # all rolls back.
        with (
            jobs.beating(lambda: _touch(batch)),
            translation.override(batch.language),
            transaction.atomic(),
        ):
            plan = self._plan(batch)
            if plan.ok:
                self.apply(plan, batch.uploaded_by)
            outcome = {
                "status": Status.COMMITTED if plan.ok else Status.INVALID,
                "committed_at": timezone.now() if plan.ok else None,
                "summary": _summary(plan),
                "preview": _preview(plan),
                "heartbeat_at": None,
            }
            if not ImportBatch.objects.filter(
                pk=batch.pk, status=Status.IMPORTING, attempts=batch.attempts
            ).update(**outcome):
                transaction.set_rollback(True)  # the reaper gave this attempt up meanwhile
                return None
            batch.refresh_from_db()
            if plan.ok:
                self.committed(batch)
        return batch

    def _plan(self, batch: ImportBatch) -> ImportPlan:
        return self.plan(batch.kind, bytes(batch.content), batch.filename, batch.uploaded_by)

    def _claim(self, batch_id: int, status: str) -> ImportBatch | None:
        """Take the batch for this attempt, or None when it is not waiting in `status` any
        more."""
        if not ImportBatch.objects.filter(pk=batch_id, kind__in=self.kinds, status=status).update(
            attempts=F("attempts") + 1, heartbeat_at=timezone.now()
        ):
            return None
        return ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)


def _touch(batch: ImportBatch) -> bool:
    return bool(
        ImportBatch.objects.filter(
            pk=batch.pk, status=batch.status, attempts=batch.attempts
        ).update(heartbeat_at=timezone.now())
    )


def _preview(plan: ImportPlan) -> dict:
    """What the preview page shows, in plain JSON: errors by line, then the changes, capped."""
    errors = plan.errors
    changes = [
        {
            "line": row.line,
            "key": row.key,
            "name": row.name,
            "change": row.change,
            "fields": row.changed_fields,
        }
        for row in plan.rows
        if row.change in (CREATE, UPDATE)
    ]
    return {
        "errors": [[issue.line, issue.message] for issue in errors[:PREVIEW_ERRORS]],
        "more_errors": max(0, len(errors) - PREVIEW_ERRORS),
        "changes": changes[:PREVIEW_ROWS],
        "more_changes": max(0, len(changes) - PREVIEW_ROWS),
        "ok": plan.ok,
    }


def _summary(plan: ImportPlan) -> dict:
    return {"counts": plan.counts, "errors": len(plan.errors)}


CHANGE_LABELS = {CREATE: gettext_lazy("create"), UPDATE: gettext_lazy("update")}


def shown_preview(batch: ImportBatch, field_label: Callable[[str], str]) -> dict:
    """The batch's findings as a preview page shows them: errors by line, then the changes with
    their kind and changed fields in the reader's language (`field_label` names a field)."""
    found = batch.preview or {}
    changes = [
        {
            **row,
            "change": CHANGE_LABELS.get(row["change"], row["change"]),
            "fields": [field_label(name) for name in row.get("fields", [])],
        }
        for row in found.get("changes", [])
    ]
    return {
        "batch": batch,
        "ok": found.get("ok", False),
        "counts": (batch.summary or {}).get("counts", {}),
        "errors": [Issue(line, message) for line, message in found.get("errors", [])],
        "more_errors": found.get("more_errors", 0),
        "changes": changes,
        "more_changes": found.get("more_changes", 0),
    }


class BatchJobs(jobs.JobKind):
    """The reaper's view of one family of batch imports: a batch being checked or imported whose
    worker fell silent is sent again, or failed after the last attempt. An import runs in one
    transaction, so a dead attempt has written nothing."""

    def __init__(self, batches: BatchImport) -> None:
        self.batches = batches
        self.name = batches.name

    def stale(self, *, now: datetime.datetime, cutoff: datetime.datetime) -> Iterable:
        silent = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
        return (
            ImportBatch.objects.filter(
                silent,
                kind__in=self.batches.kinds,
                status__in=[Status.CHECKING, Status.IMPORTING],
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
        # The next attempt has a full stale limit to start in before it counts as silent.
        if not self._taken(batch).update(heartbeat_at=timezone.now(), error=reason):
            return False
        transaction.on_commit(lambda: self.batches.send(batch))
        return True

    def fail(self, batch: ImportBatch, reason: str) -> bool:
        return bool(self._taken(batch).update(status=Status.FAILED, error=reason))
