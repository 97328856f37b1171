"""API of the secretaries' annual reports: /api/v1/secretary-reports/.

Reports are read from `SecretaryReport.objects.restrict(user, "view")`: a report outside the
caller's scope is a 404. Writes go through `standards.services.reports`: the organization changes
its draft (`PATCH` of `secretary_name`, `summary`, `votes` with the `version` it read), attaches
documents (`POST …/documents/`, multipart `documents`, several allowed), removes one
(`DELETE …/documents/{id}/`) and submits (`POST …/submit/`); a reviewer above the organization
rates it (`POST …/rate/`). A refused change is a 400 with its message, a change the caller may
not make a 403, a stale `version` a 409 with `current_version`; nothing is changed.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from assessment.choices import PeriodStatus
from core.api_schema import ErrorSerializer
from core.filters import IntegerFilter, read_id
from core.parsers import JSONParser
from organizations.api.filters import ScopedFilterSet
from organizations.api.serializers import OrganizationSummarySerializer
from organizations.mixins import ScopedViewSetMixin

from .. import config, ratings
from ..choices import ReportState
from ..models import SecretaryReport, SecretaryReportDocument
from ..services import reports as services
from .refusals import StandardsRefusalSerializer, refusal

REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description=_lazy("Refused input.")),
    403: OpenApiResponse(ErrorSerializer, description=_lazy("You may not make this change.")),
    404: OpenApiResponse(description=_lazy("Not in your scope, or no such report.")),
}
STALE = {
    409: OpenApiResponse(
        StandardsRefusalSerializer, description=_lazy("Changed since your version.")
    )
}


class SecretaryReportDocumentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download = serializers.SerializerMethodField(label=_lazy("download"))

    class Meta:
        model = SecretaryReportDocument
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, document: SecretaryReportDocument) -> str:
        return reverse(
            "standards:secretary_report_document", args=[document.report_id, document.pk]
        )


class SecretaryReportSerializer(serializers.ModelSerializer):
    """A report with its votes' weighed share, its documents and what the caller may do."""

    organization = OrganizationSummarySerializer(read_only=True)
    period = serializers.IntegerField(source="period_id", read_only=True)
    rated_by = serializers.CharField(
        source="rated_by.username", read_only=True, default=None, allow_null=True
    )
    documents = SecretaryReportDocumentSerializer(many=True, read_only=True)
    share = serializers.SerializerMethodField(
        label=_lazy("weighed share"), help_text=_lazy("Σ votes × weight ÷ voters, 0–1.")
    )
    rating_value = serializers.SerializerMethodField(
        label=_lazy("rating value"), help_text=_lazy("What the rating counts (0–100).")
    )
    allowed = serializers.SerializerMethodField(
        label=_lazy("allowed steps"), help_text=_lazy("What you may do with this report.")
    )

    class Meta:
        model = SecretaryReport
        fields = [
            "id",
            "period",
            "organization",
            "secretary_name",
            "summary",
            "votes",
            "share",
            "proposed_rating",
            "rating",
            "rating_value",
            "rating_reason",
            "state",
            "submitted_at",
            "rated_by",
            "rated_at",
            "version",
            "updated_at",
            "documents",
            "allowed",
        ]
        read_only_fields = fields

    def _shape(self, report: SecretaryReport):
        cache = self.context.setdefault("report_shapes", {})
        key = report.period.framework_id
        if key not in cache:
            cache[key] = config.for_period(report.period).secretary_reports
        return cache[key]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_share(self, report: SecretaryReport) -> float | None:
        shape = self._shape(report)
        if shape is None or not report.votes:
            return None
        share = ratings.fraction(report.votes, shape.votes)
        return round(share, 4) if share is not None else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_rating_value(self, report: SecretaryReport) -> float | None:
        shape = self._shape(report)
        if shape is None or report.state != ReportState.RATED:
            return None
        rating = ratings.rating_named(shape.ratings, report.rating)
        return float(rating.value) if rating else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed(self, report: SecretaryReport) -> list[str]:
        user = self.context["request"].user
        if report.period.status != PeriodStatus.OPEN:
            return []
        allowed = []
        if report.state == ReportState.DRAFT and services.can_enter(user, report):
            allowed += ["change", "documents", "submit"]
        if report.state != ReportState.DRAFT and services.can_rate(user, report):
            allowed.append("rate")
        return allowed


class SecretaryReportChangeSerializer(serializers.Serializer):
    """A change of the draft: every field optional but `version`, the one you read."""

    version = serializers.IntegerField(min_value=1, label=_lazy("version"))
    secretary_name = serializers.CharField(
        max_length=services.NAME_MAX, required=False, allow_blank=True
    )
    summary = serializers.CharField(
        max_length=services.SUMMARY_MAX, required=False, allow_blank=True
    )
    votes = serializers.JSONField(
        required=False,
        help_text=_lazy(
            "The meeting's votes: {good, fairly_good, average, poor}, whole numbers ≥ 0, at least "
            "one vote."
        ),
    )


class ReportVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, label=_lazy("version"))


class ReportRateSerializer(ReportVersionSerializer):
    rating = serializers.CharField(help_text=_lazy("A rating code of the framework."))
    reason = serializers.CharField(
        max_length=services.REASON_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text=_lazy("Needed for a rating other than the one the votes propose."),
    )


class ReportDocumentsSerializer(serializers.Serializer):
    documents = serializers.ListField(
        child=serializers.FileField(),
        label=_lazy("documents"),
        help_text=_lazy("PDF, Word or images, checked by their content."),
    )


class SecretaryReportFilterSet(ScopedFilterSet):
    period = IntegerFilter(field_name="period_id", label=_lazy("period"))
    organization = IntegerFilter(field_name="organization_id", label=_lazy("organization"))
    state = django_filters.ChoiceFilter(choices=ReportState.choices)

    class Meta:
        model = SecretaryReport
        fields = ["period", "organization", "within", "state"]


@extend_schema(tags=["standards"])
class SecretaryReportViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The secretaries' annual reports of the caller's scope, newest period first."""

    queryset = (
        SecretaryReport.objects.select_related(
            "period__framework", "organization__kind", "rated_by"
        )
        .prefetch_related("documents__uploaded_by")
        .order_by("-period__start", "organization__path")
    )
    serializer_class = SecretaryReportSerializer
    filterset_class = SecretaryReportFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(
        summary=_lazy("Change the draft: secretary, summary, votes"),
        request=SecretaryReportChangeSerializer,
        responses={200: SecretaryReportSerializer, **REFUSALS, **STALE},
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        report = self.get_object()
        data = self._valid(SecretaryReportChangeSerializer, request.data)
        try:
            services.save(
                report,
                secretary_name=data.get("secretary_name", report.secretary_name),
                summary=data.get("summary", report.summary),
                votes=data.get("votes", report.votes),
                version=data["version"],
                acting_user=request.user,
            )
        except services.ReportRefused as refused:
            return refusal(refused)
        return self._answer(report)

    @extend_schema(
        summary=_lazy("Submit the report to the committee above"),
        request=ReportVersionSerializer,
        responses={200: SecretaryReportSerializer, **REFUSALS, **STALE},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk=None) -> Response:
        report = self.get_object()
        data = self._valid(ReportVersionSerializer, request.data)
        try:
            services.submit(report, version=data["version"], acting_user=request.user)
        except services.ReportRefused as refused:
            return refusal(refused)
        return self._answer(report)

    @extend_schema(
        summary=_lazy("Rate the report (a reviewer above the organization)"),
        request=ReportRateSerializer,
        responses={200: SecretaryReportSerializer, **REFUSALS, **STALE},
    )
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, pk=None) -> Response:
        report = self.get_object()
        data = self._valid(ReportRateSerializer, request.data)
        try:
            services.rate(
                report,
                rating=data["rating"],
                reason=data["reason"],
                version=data["version"],
                acting_user=request.user,
            )
        except services.ReportRefused as refused:
            return refusal(refused)
        return self._answer(report)

    @extend_schema(
        summary=_lazy("Attach documents to the draft"),
        request={"multipart/form-data": ReportDocumentsSerializer},
        responses={201: SecretaryReportSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path="documents")
    def documents(self, request: Request, pk=None) -> Response:
        report = self.get_object()
        files = request.FILES.getlist("documents") if hasattr(request, "FILES") else []
        try:
            services.add_documents(report, files, acting_user=request.user)
        except services.ReportRefused as refused:
            return refusal(refused)
        return self._answer(report, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_lazy("Remove a document of the draft"),
        request=None,
        responses={204: None, **REFUSALS},
    )
    @action(detail=True, methods=["delete"], url_path=r"documents/(?P<document_pk>\d+)")
    def remove_document(self, request: Request, pk=None, document_pk=None) -> Response:
        report = self.get_object()
        document_id = read_id(document_pk)
        document = report.documents.filter(pk=document_id).first() if document_id else None
        if document is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        try:
            services.remove_document(document, acting_user=request.user)
        except services.ReportRefused as refused:
            return refusal(refused)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _valid(self, serializer_class, data) -> dict[str, Any]:
        if hasattr(data, "dict"):
            data = data.dict()
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, report: SecretaryReport, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(fresh).data, status=code)


__all__ = ["ROUTES", "SecretaryReportViewSet"]

ROUTES: list = [("secretary-reports", SecretaryReportViewSet, "secretary-report")]
