"""Enumerations of the assessment app; the values match the framework file format."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ValueType(models.TextChoices):
    NUMBER = "number", _("Number")
    PERCENTAGE = "percentage", _("Percentage")
    COUNT = "count", _("Count")
    BOOLEAN = "boolean", _("Yes / no")
    APPRAISAL = "appraisal", _("Appraisal votes")
    TEXT = "text", _("Text")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Frequency(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF_YEAR = "half_year", _("Half-yearly")
    YEAR = "year", _("Yearly")
    TERM = "term", _("Per term")


class RubricKind(models.TextChoices):
    LINEAR = "linear", _("Linear between floor and target")
    BANDS = "bands", _("Threshold bands")
    YES_NO = "yes_no", _("Yes / no")
    BONUS = "bonus", _("Bonus per occurrence, capped")
    DEDUCTION = "deduction", _("Deduction per occurrence, floored")
    VETO = "veto", _("Veto (one-vote rejection)")
    FORMULA = "formula", _("Formula over other indicators")
    APPRAISAL = "appraisal", _("Democratic appraisal")
    NONE = "none", _("Recorded, not scored")
