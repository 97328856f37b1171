"""Star ratings of branches (星级党支部), one per branch and year, with their history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.scope import ScopedQuerySet

from ..choices import Decision


class StarRating(models.Model):
    """A branch's stars for one period: proposed from its score, confirmed by the committee.

    `band_stars` is what the score reaches on the framework's star bands; `proposed` is that
    after the entry conditions (`conditions`: standardization met, no veto, complete data), the
    limit on the change from last year's confirmed stars (`previous`) and the committee's quota
    for the top level, each step written in `steps`; `stars` is what the committee confirmed.
    """

    period = models.ForeignKey(
        "assessment.Period", on_delete=models.CASCADE, related_name="+", verbose_name=_("period")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="star_ratings",
        verbose_name=_("branch"),
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    band_stars = models.PositiveSmallIntegerField(_("stars by score"), null=True, blank=True)
    previous = models.PositiveSmallIntegerField(_("last year's stars"), null=True, blank=True)
    proposed = models.PositiveSmallIntegerField(_("proposed stars"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    conditions = models.JSONField(_("entry conditions"), default=dict, blank=True)
    steps = models.JSONField(_("how the proposal was made"), default=list, blank=True)
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
        ordering = ["period", "organization__path"]
        verbose_name = _("star rating")
        verbose_name_plural = _("star ratings")
        constraints = [
            models.UniqueConstraint(fields=["period", "organization"], name="stars_once"),
            models.CheckConstraint(
                condition=models.Q(stars__isnull=True) | models.Q(stars__lte=5),
                name="stars_at_most_five",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.stars or self.proposed}"
