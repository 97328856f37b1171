"""Business measures and figures."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from organizations.scope import ScopedQuerySet

from ..choices import GRADES, Direction, FigureSource, Scale


class BusinessMeasure(models.Model):
    """A business result measured per organization and year.

    The built-in measures (revenue, profit, their growth, the regulator's annual and term
    grades) are created by the migration and cannot be removed; an administrator adds others
    (name, unit, direction). A measure on the grade scale takes A–D.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices, default=Scale.NUMBER)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    built_in = models.BooleanField(_("built in"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("business measure")
        verbose_name_plural = _("business measures")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name

    @property
    def display_unit(self) -> str:
        return self.unit_en if (get_language() or "").startswith("en") else self.unit


class BusinessFigure(models.Model):
    """One organization's figure of one measure for one year: a number, or a grade for a measure
    on the grade scale. Changes are guarded by `version` and recorded in the audit trail."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="business_figures",
        verbose_name=_("organization"),
    )
    measure = models.ForeignKey(
        BusinessMeasure,
        on_delete=models.PROTECT,
        related_name="figures",
        verbose_name=_("measure"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=1, blank=True, choices=[(g, g) for g in GRADES])
    note = models.CharField(_("note"), max_length=300, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=FigureSource.choices, default=FigureSource.ENTERED
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    updated_at = models.DateTimeField(_("entered at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "-year", "measure__position"]
        verbose_name = _("business figure")
        verbose_name_plural = _("business figures")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "measure", "year"], name="business_figure_once"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(grade=""), name="business_figure_has_value"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2100), name="business_figure_year"
            ),
        ]
        indexes = [models.Index(fields=["measure", "year"], name="business_figure_measure_year")]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.measure_id} {self.year}"
