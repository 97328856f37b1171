"""Secretaries' annual reports (书记抓基层党建工作述职评议): the report, the meeting's votes and
the committee's rating, which counts in the organization's score (source `secretary_report`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from assessment.models import StoredFile
from organizations.scope import ScopedQuerySet

from ..choices import ReportState


class SecretaryReport(models.Model):
    """One organization's secretary reporting on a period's party-building work.

    The secretary (or whoever enters for the organization) writes the summary, attaches the
    report and enters the meeting's votes (好 / 较好 / 一般 / 差) and submits; the votes give a
    proposed rating; the committee above rates it (a rating other than the proposal needs a
    reason). `version` refuses stale forms.
    """

    period = models.ForeignKey(
        "assessment.Period", on_delete=models.CASCADE, related_name="+", verbose_name=_("period")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="secretary_reports",
        verbose_name=_("organization"),
    )
    secretary = models.ForeignKey(
        "organizations.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="secretary_reports",
        verbose_name=_("secretary"),
    )
    secretary_name = models.CharField(_("secretary"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    votes = models.JSONField(_("votes"), default=dict, blank=True)
    proposed_rating = models.CharField(_("proposed rating"), max_length=20, blank=True)
    rating = models.CharField(_("rating"), max_length=20, blank=True)
    rating_reason = models.TextField(_("reason for the rating"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rated by"),
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    details = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["period", "organization__path"]
        verbose_name = _("secretary's annual report")
        verbose_name_plural = _("secretaries' annual reports")
        constraints = [
            models.UniqueConstraint(fields=["period", "organization"], name="report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.secretary_name} · {self.organization_id}"


class ReportPartQuerySet(ScopedQuerySet):
    scope_path_field = "report__organization__path"


def document_path(instance: "SecretaryReportDocument", filename: str) -> str:
    # Stored under the hash, like evidence: names from users never reach the file system.
    return f"reports/{instance.sha256[:2]}/{instance.sha256}"


class SecretaryReportDocument(StoredFile):
    """The report itself (PDF, Word, images), checked by content and kept by hash."""

    report = models.ForeignKey(SecretaryReport, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=document_path, max_length=200)

    objects = ReportPartQuerySet.as_manager()

    class Meta:
        ordering = ["report", "uploaded_at"]
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")
