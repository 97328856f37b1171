"""Serializers of the reports API."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assessment.choices import PeriodKind
from organizations.api.serializers import OrganizationSummarySerializer

from ..choices import ReportFormat
from ..models import Report


class ReportSerializer(serializers.ModelSerializer):
    """A report with its progress; once done, its snapshot facts and download link."""

    organization = OrganizationSummarySerializer(read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    download = serializers.SerializerMethodField(label=_("download"))

    class Meta:
        model = Report
        fields = [
            "id",
            "organization",
            "requested_by",
            "schedule",
            "format",
            "language",
            "period_kind",
            "range_start",
            "range_end",
            "period_ids",
            "status",
            "progress",
            "step",
            "error",
            "sha256",
            "content_sha256",
            "size",
            "filename",
            "framework_versions",
            "created_at",
            "started_at",
            "finished_at",
            "download",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, report: Report) -> str | None:
        if not report.is_done:
            return None
        path = reverse("report-download", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportRequestSerializer(serializers.Serializer):
    """What to report on: an organization in your scope, a period kind and a date range."""

    organization = serializers.IntegerField(label=_("organization"))
    format = serializers.ChoiceField(choices=ReportFormat.choices, label=_("format"))
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices, label=_("period kind"))
    start = serializers.DateField(label=_("from"))
    end = serializers.DateField(label=_("to"))
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE, label=_("language")
    )


class VerifySerializer(serializers.Serializer):
    """A file to check, or the SHA-256 printed on a report."""

    file = serializers.FileField(required=False, label=_("file"))
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False, label=_("SHA-256"))

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("file") and not attrs.get("sha256"):
            raise serializers.ValidationError(_("Send a file, or a SHA-256."))
        return attrs


class VerifyResultSerializer(serializers.Serializer):
    sha256 = serializers.CharField()
    file_matches = ReportSerializer(many=True)
    data_matches = ReportSerializer(many=True)
