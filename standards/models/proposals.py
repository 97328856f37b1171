"""The proposals made after a year's scores, as a long job the reaper watches."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalRun(models.Model):
    """After a full recompute of a year: titles and stars proposed, member appraisals and
    secretaries' reports opened, terms recomputed — queued, running with a heartbeat, done or
    failed; a worker that dies while proposing is noticed by the reaper (core.jobs), which sends
    the run again or fails it. Every step is idempotent, so a run again changes nothing twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period = models.ForeignKey(
        "assessment.Period",
        on_delete=models.CASCADE,
        related_name="standards_proposals",
        verbose_name=_("period"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    counts = models.JSONField(_("what was proposed"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal of results")
        verbose_name_plural = _("proposals of results")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="proposal_run_status")]

    def __str__(self) -> str:
        return f"{self.period_id} · {self.get_status_display()}"
