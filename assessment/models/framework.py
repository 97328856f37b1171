"""Versioned assessment frameworks: axes, the dimension tree and indicators with their rubrics.

A framework is edited as a draft, then published; a published version is immutable (saving or
deleting any of its rows raises `FrameworkLocked`), and a new year's version starts as a clone.
The pure scoring engine works on the `assessment.scoring.Framework` built from these rows
(`assessment.selectors.engine_framework`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..choices import Direction, FrameworkStatus, Frequency, RubricKind, ValueType


class FrameworkLocked(Exception):
    """A change to a framework version that is no longer a draft."""

    def __init__(self, framework: "Framework") -> None:
        super().__init__(
            _(
                "Framework %(code)s %(version)s is %(status)s and cannot be changed; "
                "clone it into a new draft version instead."
            )
            % {
                "code": framework.code,
                "version": framework.version,
                "status": framework.get_status_display(),
            }
        )


class Bilingual(models.Model):
    """A Chinese name (official) with its English name."""

    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


class Framework(Bilingual):
    """One version of an assessment framework."""

    code = models.CharField(_("code"), max_length=40)
    version = models.CharField(_("version"), max_length=40)
    status = models.CharField(
        _("status"), max_length=20, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    goal = models.TextField(_("goal"), blank=True)
    goal_en = models.TextField(_("goal (English)"), blank=True)
    total_points = models.FloatField(_("total points"), default=100)
    rectify_below = models.FloatField(_("rectify below"), default=0.6)
    grade_bands = models.JSONField(_("grade bands"), default=list)
    star_bands = models.JSONField(_("star bands"), default=list)
    subject_kinds = models.JSONField(_("subject kinds"), default=list)
    # The records section of the file: meeting kinds, dues rate bands, member points rules.
    records = models.JSONField(_("records"), default=dict, blank=True)
    # Named grade scales some subject kinds are graded on instead of grade_bands.
    grade_scales = models.JSONField(_("grade scales"), default=dict, blank=True)
    # The standards section: seven-good standards, standardization, stars, member appraisal,
    # secretaries' reports, terms (read by the standards app).
    standards = models.JSONField(_("standards"), default=dict, blank=True)
    # Bumped by every edit of a draft: the engine's cached plan is keyed by it.
    revision = models.PositiveIntegerField(default=0, editable=False)
    cloned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="clones"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} {self.version}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = Framework.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored and stored != FrameworkStatus.DRAFT and not self._only_status_changes(kwargs):
                raise FrameworkLocked(self)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != FrameworkStatus.DRAFT:
            raise FrameworkLocked(self)
        return super().delete(*args, **kwargs)

    @staticmethod
    def _only_status_changes(kwargs: dict) -> bool:
        fields = set(kwargs.get("update_fields") or ())
        return bool(fields) and fields <= {"status", "published_at"}

    @property
    def is_draft(self) -> bool:
        return self.status == FrameworkStatus.DRAFT

    @property
    def display_goal(self) -> str:
        return self.goal_en if (get_language() or "").startswith("en") else self.goal


class FrameworkContent(models.Model):
    """Rows that belong to a framework version and freeze with it."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        self._refuse_unless_draft()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_unless_draft()
        return super().delete(*args, **kwargs)

    def _refuse_unless_draft(self) -> None:
        status = Framework.objects.filter(pk=self.framework_id).values_list("status", flat=True)
        if status and status[0] != FrameworkStatus.DRAFT:
            raise FrameworkLocked(self.framework)


class Axis(Bilingual, FrameworkContent):
    """A way of grouping indicators: five constructions, five strives, nine guarantees, business."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="axes")
    code = models.CharField(_("code"), max_length=40)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position"]
        verbose_name = _("axis")
        verbose_name_plural = _("axes")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="axis_code_once"),
        ]


class Dimension(Bilingual, FrameworkContent):
    """A node of an axis's dimension tree."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="dimensions")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    code = models.CharField(_("code"), max_length=40)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="dimension_code_once"),
        ]

    @property
    def display_description(self) -> str:
        return self.description_en if (get_language() or "").startswith("en") else self.description


class Indicator(Bilingual, FrameworkContent):
    """What is measured, how it is entered and how its value becomes points (the rubric)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("dimension")
    )
    also = models.ManyToManyField(
        Dimension, blank=True, related_name="tagged_indicators", verbose_name=_("also counts in")
    )
    applies_to = models.JSONField(_("applies to"), default=list)
    value_type = models.CharField(_("value type"), max_length=20, choices=ValueType.choices)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=40, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    target = models.FloatField(_("target"), null=True, blank=True)
    plausible_min = models.FloatField(_("plausible minimum"), null=True, blank=True)
    plausible_max = models.FloatField(_("plausible maximum"), null=True, blank=True)
    weight = models.FloatField(_("weight"))
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    assessed = models.BooleanField(
        _("judgement"), default=False, help_text=_("A judgement the reviewer confirms.")
    )
    rectify_below = models.FloatField(_("rectify below"), null=True, blank=True)
    rubric_kind = models.CharField(_("rubric"), max_length=20, choices=RubricKind.choices)
    rubric = models.JSONField(_("rubric parameters"), default=dict)
    # Where the value is counted from records ({"kind": ..., params}); empty: typed in.
    source = models.JSONField(_("source"), default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["framework", "position"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_once"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="indicator_weight_ge0"),
        ]

    @property
    def display_unit(self) -> str:
        return self.unit_en if (get_language() or "").startswith("en") else self.unit

    @property
    def display_description(self) -> str:
        return self.description_en if (get_language() or "").startswith("en") else self.description
