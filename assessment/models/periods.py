"""Assessment periods and the submissions they expect: one subject × one period.

A subject is an organization (by its kind) or one of the five-strives units inside an
organization: its leading group, a department, a party member or a member of staff. Every
submission hangs from an organization, so the access scope applies to it like to anything else.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..choices import PeriodKind, PeriodStatus
from .framework import Framework


class Period(models.Model):
    """A period of assessment (month … term) with its deadline; opening it creates submissions."""

    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="periods", verbose_name=_("framework")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PeriodKind.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=20, choices=PeriodStatus.choices, default=PeriodStatus.PLANNED
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start", "kind"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [
            models.UniqueConstraint(fields=["framework", "kind", "start"], name="period_once"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_order"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name
