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


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    HALF_YEAR = "half_year", _("Half year")
    YEAR = "year", _("Year")
    TERM = "term", _("Term")


class PeriodStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    LOCKED = "locked", _("Locked")


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
    LOCKED = "locked", _("Locked")


class SubjectUnit(models.TextChoices):
    """What kind of record a subject is (the framework's subject kinds name one of these)."""

    ORGANIZATION = "organization", _("Organization")
    LEADING_GROUP = "leading_group", _("Leading group")
    DEPARTMENT = "department", _("Department")
    PERSON = "person", _("Person")


class NoticeKind(models.TextChoices):
    RETURNED = "returned", _("Submission returned")
    APPROVED = "approved", _("Submission approved")
    REMINDER = "reminder", _("Deadline reminder")
    REOPENED = "reopened", _("Submission reopened")
    RECTIFICATION_OVERDUE = "rect_overdue", _("Rectification overdue")
    REPORT = "report", _("Report ready")
    MEETING_DUE = "meeting_due", _("Meeting reminder")
