"""Term results: an organization's annual results over its committee's term (three years for
branches, five for committees, from the framework), with the term's own figures and grade."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.scope import ScopedQuerySet


class TermResult(models.Model):
    """One organization's term from `first_year` to `last_year`, computed from its annual
    roll-ups (`years`: per year the score, grade and whether a veto fired), with the term's
    figures: average annual growth of revenue and profit, computed from the annual business
    indicators, and the regulator's term grade for the business (entered once per term).
    `grade` is the term's grade on the framework's bands (decisions in docs/decisions.md);
    `complete` says every year of the term has a result.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="term_results",
        verbose_name=_("organization"),
    )
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    years = models.JSONField(_("years"), default=list, blank=True)
    average = models.FloatField(_("average score"), null=True, blank=True)
    a_grades = models.PositiveSmallIntegerField(_("top grades"), default=0)
    trend = models.FloatField(_("trend (points a year)"), null=True, blank=True)
    revenue_growth = models.FloatField(_("average annual revenue growth"), null=True, blank=True)
    profit_growth = models.FloatField(_("average annual profit growth"), null=True, blank=True)
    business_grade = models.CharField(_("business term grade"), max_length=20, blank=True)
    business_grade_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("business grade entered by"),
    )
    business_grade_at = models.DateTimeField(null=True, blank=True)
    grade = models.CharField(_("term grade"), max_length=20, blank=True)
    complete = models.BooleanField(_("complete"), default=False)
    computed_at = models.DateTimeField(_("computed at"))
    version = models.PositiveIntegerField(default=1)
    details = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "-first_year"]
        verbose_name = _("term result")
        verbose_name_plural = _("term results")
        constraints = [
            models.UniqueConstraint(fields=["organization", "first_year"], name="term_once"),
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")), name="term_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.first_year}–{self.last_year}"
