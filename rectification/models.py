"""Rectification items: an indicator a unit must improve, from opening to confirmed closure.

An item is opened automatically when an organization's score for a period shows an indicator
below the framework's rectification threshold, or a veto or deduction rule fired. The secretary
plans and works it, requests closure with evidence; a reviewer confirms (or sends it back).
Every item hangs from an organization, so the access scope applies to it like to anything else.
"""

import datetime

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessment.models import StoredFile
from organizations.scope import ScopedQuerySet

DEFAULT_DUE_DAYS = 60


def due_days() -> int:
    """Days from opening to the due date (setting RECTIFICATION_DUE_DAYS, default 60)."""
    return int(getattr(settings, "RECTIFICATION_DUE_DAYS", DEFAULT_DUE_DAYS))


def default_due_date() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=due_days())


class Rectification(models.Model):
    """One indicator of one organization in one period that has to be rectified."""

    class Source(models.TextChoices):
        THRESHOLD = "threshold", _("Below the threshold")
        VETO = "veto", _("Veto")
        DEDUCTION = "deduction", _("Deduction")

    class State(models.TextChoices):
        # Not "Open"/"Closed": those words are taken by periods (已开放/已关闭) in the catalogue.
        OPEN = "open", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
        CLOSED = "closed", _("Closed (confirmed)")

    ACTIVE = (State.OPEN, State.IN_PROGRESS, State.CLOSURE_REQUESTED)

    # No database constraints on the item's references (here and the users below): a full
    # recompute's opening inserts hundreds of thousands of items in one statement, from the score
    # rows (which carry the constraints) and the units' secretaries, and checking six references
    # per item at commit cost more than the insert (docs/benchmarks.md, issue 19). Services write
    # them from rows that exist; deleting through Django still cascades or sets null.
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="rectifications",
        verbose_name=_("organization"),
        db_constraint=False,
        db_index=False,  # the (organization, state) index serves
    )
    period = models.ForeignKey(
        "assessment.Period",
        on_delete=models.CASCADE,
        related_name="rectifications",
        verbose_name=_("period"),
        db_constraint=False,
        db_index=False,  # the unique (period, submission, indicator_code) index serves
    )
    submission = models.ForeignKey(
        "assessment.Submission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectifications",
        verbose_name=_("submission"),
        db_constraint=False,
    )
    indicator_code = models.CharField(_("indicator"), max_length=40)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    fraction_at_opening = models.FloatField(_("score share at opening"), null=True, blank=True)
    points_at_opening = models.FloatField(_("points at opening"), null=True, blank=True)
    max_points = models.FloatField(_("maximum points"), null=True, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectifications",
        verbose_name=_("owner"),
        db_constraint=False,
    )
    due_date = models.DateField(_("due date"), default=default_due_date)
    plan = models.TextField(_("plan"), blank=True)
    progress_note = models.TextField(_("progress"), blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closure requested by"),
        db_constraint=False,
        db_index=False,  # a partial index: empty on every item opened
    )
    closure_requested_at = models.DateTimeField(_("closure requested at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
        db_constraint=False,
        db_index=False,  # a partial index: empty on every item opened
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason the closure was rejected"), blank=True)
    overdue_notified_at = models.DateTimeField(_("overdue notice sent at"), null=True, blank=True)
    # Optimistic locking: every change bumps it; a form naming an older one is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        constraints = [
            # Once per subject: an organization's own indicator, or one of its members',
            # departments' or leading group's.
            models.UniqueConstraint(
                fields=["period", "submission", "indicator_code"], name="rectification_once"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["open", "in_progress", "closure_requested", "closed"]),
                name="rectification_state",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "state"], name="rect_org_state"),
            # The most urgent unclosed items first (dashboards): read in index order. The overdue
            # flagging reads it too (active states are the unclosed ones).
            models.Index(
                fields=["due_date", "id"], condition=~Q(state="closed"), name="rect_unclosed_due"
            ),
            # Deleting a user sets these to null: found by these, which opening items never grow.
            models.Index(
                fields=["closure_requested_by"],
                condition=Q(closure_requested_by__isnull=False),
                name="rect_closure_requested_by",
            ),
            models.Index(
                fields=["confirmed_by"],
                condition=Q(confirmed_by__isnull=False),
                name="rect_confirmed_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_code} · {self.organization_id} · {self.period_id}"

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.due_date < timezone.localdate()


class RectificationPartQuerySet(ScopedQuerySet):
    """Rows of an item (history, evidence) are in scope with their item."""

    scope_path_field = "rectification__organization__path"


class RectificationEvent(models.Model):
    """One step of an item's history: who moved it from which state to which, and why."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="events"
    )
    from_state = models.CharField(max_length=20, choices=Rectification.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=Rectification.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    # The item's fields an update changed, named when read in the reader's language.
    changed = models.JSONField(default=list, blank=True)

    objects = RectificationPartQuerySet.as_manager()

    class Meta:
        ordering = ["rectification", "at", "id"]
        verbose_name = _("rectification event")
        verbose_name_plural = _("rectification events")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"

    @property
    def changed_labels(self) -> list[str]:
        labels = []
        for name in self.changed:
            try:
                labels.append(str(Rectification._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:
                labels.append(name)
        return labels


def evidence_path(instance: "RectificationEvidence", filename: str) -> str:
    # Stored under the hash, like submission evidence: names from users never reach the disk.
    return f"rectification/{instance.sha256[:2]}/{instance.sha256}"


class RectificationEvidence(StoredFile):
    """A file showing the rectification was done; its type is checked by content."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(upload_to=evidence_path, max_length=200)

    objects = RectificationPartQuerySet.as_manager()

    class Meta:
        ordering = ["rectification", "uploaded_at", "id"]
        verbose_name = _("rectification evidence")
        verbose_name_plural = _("rectification evidence")


class OpeningRun(models.Model):
    """The opening of a whole period's items after a full recompute, as a long job (queued,
    running with a heartbeat, done or failed): a worker that dies while opening them is noticed
    by the reaper (core.jobs), which sends the opening again or fails it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period = models.ForeignKey(
        "assessment.Period",
        on_delete=models.CASCADE,
        related_name="rectification_openings",
        verbose_name=_("period"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    opened = models.PositiveIntegerField(_("items opened"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("opening of rectification items")
        verbose_name_plural = _("openings of rectification items")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="opening_run_status")]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.get_status_display()}"
