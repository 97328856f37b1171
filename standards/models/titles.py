"""Seven-good titles: proposed for the subjects that met their standard, decided by a reviewer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.scope import ScopedQuerySet

from ..choices import Decision


class Title(models.Model):
    """A title (七好党组织, 七好党员, …) proposed for one subject in one period.

    Proposed when the period's scores show the subject meets every criterion of its standard;
    confirmed, or withheld with a reason, by a reviewer above the subject. `criteria` keeps the
    evaluation the proposal was made from (each criterion's share, threshold and the indicators
    that held it back), so the decision can be read later as it was taken.
    """

    period = models.ForeignKey(
        "assessment.Period", on_delete=models.CASCADE, related_name="+", verbose_name=_("period")
    )
    submission = models.ForeignKey(
        "assessment.Submission",
        on_delete=models.CASCADE,
        related_name="titles",
        verbose_name=_("subject"),
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organization"),
    )
    subject_kind = models.CharField(_("subject kind"), max_length=40)
    subject_name = models.CharField(_("subject"), max_length=300)
    standard = models.CharField(_("standard"), max_length=40)
    score = models.FloatField(_("score"))
    criteria = models.JSONField(_("criteria"), default=list)
    state = models.CharField(
        _("state"), max_length=20, choices=Decision.choices, default=Decision.PROPOSED
    )
    reason = models.TextField(_("reason"), blank=True)
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    details = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period", "standard", "-score", "subject_name"]
        verbose_name = _("title")
        verbose_name_plural = _("titles")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "submission", "standard"], name="title_once_per_subject"
            ),
        ]
        indexes = [models.Index(fields=["period", "state"], name="title_period_state")]

    def __str__(self) -> str:
        return f"{self.subject_name} · {self.standard}"
