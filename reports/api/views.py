"""API endpoints of the reports: request one, poll its progress, download it, verify a file.

Everything starts from `Report.objects.restrict(user)`: a report outside the caller's scope is a
404, and a request for an organization outside it gets the same error as one that does not exist.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.downloads import stored_file_download
from core.filters import IntegerFilter
from core.negotiation import AcceptHeaderNegotiation
from core.parsers import JSONParser
from organizations.api.filters import ScopedFilterSet
from organizations.mixins import ScopedReadOnlyViewSet
from organizations.models import Organization

from .. import selectors, services
from ..choices import CONTENT_TYPES, ReportFormat, ReportStatus
from ..forms import verify_max_bytes
from ..models import Report
from .serializers import (
    ReportRequestSerializer,
    ReportSerializer,
    VerifyResultSerializer,
    VerifySerializer,
)


class ReportFilterSet(ScopedFilterSet):
    organization = IntegerFilter(field_name="organization_id", label=_("organization"))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, label=_("status"))
    format = django_filters.ChoiceFilter(choices=ReportFormat.choices, label=_("format"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("requested by me"))

    class Meta:
        model = Report
        fields = ["organization", "within", "status", "format", "mine"]

    def filter_mine(self, queryset, name: str, value: bool):
        user = self.request.user
        return queryset.filter(requested_by=user) if value else queryset.exclude(requested_by=user)


@extend_schema_view(
    list=extend_schema(summary=_("Reports in your scope")),
    retrieve=extend_schema(summary=_("One report with its progress")),
    create=extend_schema(
        summary=_("Request a report"),
        request=ReportRequestSerializer,
        responses={202: ReportSerializer},
    ),
)
@extend_schema(tags=["reports"])
class ReportViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Term reports: POST to request one (made in the background), GET to follow its progress,
    then download the finished snapshot."""

    queryset = Report.objects.select_related("organization__kind", "requested_by")
    serializer_class = ReportSerializer
    filterset_class = ReportFilterSet
    ordering_fields = ["created_at", "finished_at"]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    content_negotiation_class = AcceptHeaderNegotiation  # `format` is a filter here

    def create(self, request: Request, *args, **kwargs) -> Response:
        incoming = ReportRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        organization = (
            Organization.objects.restrict(request.user).filter(pk=data["organization"]).first()
        )
        try:
            if organization is None:
                raise services.ReportError(
                    _("There is no such organization in your scope."), "organization"
                )
            report = services.request_report(
                acting_user=request.user,
                organization=organization,
                format=data["format"],
                period_kind=data["period_kind"],
                start=data["start"],
                end=data["end"],
                language=data["language"],
            )
        except services.ReportError as error:
            raise ValidationError({error.field or "non_field_errors": [error.message]}) from None
        report.refresh_from_db()
        body = ReportSerializer(report, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary=_("Download a finished report"), responses={(200, "*/*"): bytes})
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request: Request, pk: int | None = None):
        report = self.get_object()
        if not report.is_done or not report.file:
            return Response(
                {"detail": _("The report is not finished.")}, status=status.HTTP_409_CONFLICT
            )
        return stored_file_download(
            report.file, filename=report.filename, content_type=CONTENT_TYPES[report.format]
        )

    @extend_schema(
        summary=_("Verify a file against the snapshots in your scope"),
        request=VerifySerializer,
        responses=VerifyResultSerializer,
    )
    @action(detail=False, methods=["post"], url_path="verify", url_name="verify")
    def verify(self, request: Request) -> Response:
        incoming = VerifySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data.get("file")
        if upload is not None:
            if upload.size > verify_max_bytes():
                raise ValidationError({"file": [_("The file is larger than any report.")]})
            found = selectors.verify(request.user, upload=upload)
        else:
            found = selectors.verify(request.user, digest=incoming.validated_data["sha256"].lower())
        context = self.get_serializer_context()
        return Response(
            {
                "sha256": found.digest,
                "file_matches": ReportSerializer(
                    found.file_matches, many=True, context=context
                ).data,
                "data_matches": ReportSerializer(
                    found.data_matches, many=True, context=context
                ).data,
            }
        )
