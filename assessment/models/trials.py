"""A draft framework tried on the last period as a long job (`selectors.trial.try_draft`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DraftTrial(models.Model):
    """A draft scored on a period's stored scores in a worker — queued, running with a heartbeat,
    done (its summary and changes in `result`) or failed; a worker that dies while scoring is
    noticed by the reaper (core.jobs), which sends the trial again or fails it. Nothing else is
    written, so a trial run again changes nothing."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    framework = models.ForeignKey(
        "assessment.Framework",
        on_delete=models.CASCADE,
        related_name="trials",
        verbose_name=_("framework"),
    )
    period = models.ForeignKey(
        "assessment.Period",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("period"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("trial of a draft")
        verbose_name_plural = _("trials of drafts")
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="draft_trial_status")]

    def __str__(self) -> str:
        return f"{self.framework_id} · {self.period_id} · {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
