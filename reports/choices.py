"""Enumerations of the reports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportFormat(models.TextChoices):
    PDF = "pdf", _("PDF report")
    XLSX = "xlsx", _("Excel workbook")
    CSV = "csv", _("CSV of the values")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReportStep(models.TextChoices):
    COLLECTING = "collecting", _("Reading scores and roll-ups")
    RENDERING = "rendering", _("Writing the document")
    VALUES = "values", _("Writing the values")
    STORING = "storing", _("Storing the snapshot")


class Trigger(models.TextChoices):
    PERIOD_CLOSED = "period_closed", _("When a period closes")
    MONTHLY = "monthly", _("Monthly, on a day of the month")


class Targets(models.TextChoices):
    ROOT = "root", _("The organization itself")
    COMMITTEES = "committees", _("Every party committee in its subtree")


CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.CSV: "text/csv; charset=utf-8",
}
