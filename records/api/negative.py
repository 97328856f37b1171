"""API of the negative list: /api/v1/negative-events/.

Events are read from `NegativeEvent.objects.restrict(user, "view")`: the unit and everyone above
it see them, an event outside the caller's scope is a 404. Writes go through
`services.negative`, which allows them only to an inspector above the unit: anyone else who may
see the event gets a 403 with the reason, and so does a caller who names an organization they see
but may not record on. An organization outside the scope is answered like one that does not exist
(400), and a refused input (date, document) is a 400. Decision documents are sent as
multipart/form-data (`documents`, several allowed). A change names the `version` it was based on,
as a meeting's does: an older one is a 409 with `current_version` and changes nothing; a deletion
may name it too (`?version=`).
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.api_schema import ErrorSerializer
from core.filters import IntegerFilter
from core.parsers import JSONParser
from organizations.api.filters import ScopedFilterSet
from organizations.api.serializers import OrganizationSummarySerializer
from organizations.mixins import ScopedViewSetMixin
from organizations.models import Organization

from ..choices import NegativeCategory, Severity
from ..models import DecisionDocument, NegativeEvent
from ..services import negative as services
from ..services.dates import RecordRefused
from .refusals import STALE, refusal


class DecisionDocumentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    download = serializers.SerializerMethodField(label=_lazy("download"))

    class Meta:
        model = DecisionDocument
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

    def get_download(self, document: DecisionDocument) -> str:
        return reverse("records:decision_document", args=[document.pk])


class NegativeEventSerializer(serializers.ModelSerializer):
    """An event of the negative list, its documents and what the caller may do with it."""

    organization = OrganizationSummarySerializer(read_only=True)
    entered_by = serializers.CharField(source="entered_by.username", read_only=True)
    documents = DecisionDocumentSerializer(many=True, read_only=True)
    allowed = serializers.SerializerMethodField(
        label=_lazy("allowed steps"), help_text=_lazy("What you may do with this event.")
    )

    class Meta:
        model = NegativeEvent
        fields = [
            "id",
            "organization",
            "category",
            "severity",
            "date",
            "title",
            "description",
            "decision_number",
            "entered_by",
            "created_at",
            "updated_at",
            "version",
            "documents",
            "allowed",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed(self, event: NegativeEvent) -> list[str]:
        user = self.context["request"].user
        return ["change", "delete"] if services.can_record(user, event.organization) else []


class NegativeEventChangeSerializer(serializers.Serializer):
    """What a change may give (every field optional but `version`, the one you read); documents
    are added, others removed."""

    version = serializers.IntegerField(min_value=1, label=_lazy("version"))
    category = serializers.ChoiceField(choices=NegativeCategory.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    date = serializers.DateField(required=False)
    title = serializers.CharField(max_length=services.TITLE_MAX, required=False)
    description = serializers.CharField(
        max_length=services.DESCRIPTION_MAX, required=False, allow_blank=True
    )
    decision_number = serializers.CharField(
        max_length=services.NUMBER_MAX, required=False, allow_blank=True
    )
    documents = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        label=_lazy("decision documents"),
        help_text=_lazy("PDF or images, checked by their content."),
    )
    remove_documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text=_lazy("Ids of the event's documents to remove."),
    )


class NegativeEventCreateSerializer(NegativeEventChangeSerializer):
    organization = serializers.IntegerField(
        min_value=1, help_text=_lazy("The unit's id: strictly below where you inspect.")
    )
    category = serializers.ChoiceField(choices=NegativeCategory.choices)
    severity = serializers.ChoiceField(choices=Severity.choices)
    date = serializers.DateField()
    title = serializers.CharField(max_length=services.TITLE_MAX)
    version = None
    remove_documents = None


class VersionQuerySerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False, label=_lazy("version"))


class NegativeEventFilterSet(ScopedFilterSet):
    organization = IntegerFilter(
        field_name="organization_id",
        label=_lazy("organization"),
        help_text=_lazy("An organization id: the events of that unit only (see also `within`)."),
    )
    category = django_filters.ChoiceFilter(choices=NegativeCategory.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = NegativeEvent
        fields = ["organization", "within", "category", "severity", "date_after", "date_before"]


REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description=_lazy("Refused input.")),
    403: OpenApiResponse(ErrorSerializer, description=_lazy("You may not record on this unit.")),
    404: OpenApiResponse(description=_lazy("Not in your scope, or no such event.")),
}


@extend_schema_view(
    list=extend_schema(summary=_lazy("Negative events in your scope")),
    retrieve=extend_schema(summary=_lazy("One negative event with its documents")),
    create=extend_schema(
        summary=_lazy("Record a negative event (an inspector above the unit)"),
        request={
            "multipart/form-data": NegativeEventCreateSerializer,
            "application/json": NegativeEventCreateSerializer,
        },
        responses={201: NegativeEventSerializer, **REFUSALS},
    ),
    partial_update=extend_schema(
        summary=_lazy("Change a negative event, add or remove documents"),
        request={
            "multipart/form-data": NegativeEventChangeSerializer,
            "application/json": NegativeEventChangeSerializer,
        },
        responses={200: NegativeEventSerializer, **REFUSALS, **STALE},
    ),
    destroy=extend_schema(
        summary=_lazy("Take an event off the negative list"),
        parameters=[
            OpenApiParameter(
                "version",
                int,
                description=_lazy("The version you read: an older one is a 409."),
            )
        ],
        responses={204: None, **REFUSALS, **STALE},
    ),
)
@extend_schema(tags=["records"])
class NegativeEventViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The negative list of the caller's scope, newest first."""

    queryset = (
        NegativeEvent.objects.select_related("organization__kind", "entered_by")
        .prefetch_related("documents__uploaded_by")
        .order_by("-date", "-pk")
    )
    serializer_class = NegativeEventSerializer
    filterset_class = NegativeEventFilterSet
    ordering_fields = ["date", "created_at", "updated_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self._valid(NegativeEventCreateSerializer, request)
        organization = (
            Organization.objects.restrict(request.user)
            .select_related("kind")
            .filter(pk=data["organization"])
            .first()
        )
        if organization is None:
            return Response(
                {"detail": _("No such organization in your scope.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            event = services.record_negative_event(
                organization,
                category=data["category"],
                severity=data["severity"],
                date=data["date"],
                title=data["title"],
                description=data.get("description", ""),
                decision_number=data.get("decision_number", ""),
                documents=data["documents"],
                acting_user=request.user,
            )
        except RecordRefused as refused:
            return refusal(refused)
        return Response(self._read(event), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        event = self.get_object()
        data = self._valid(NegativeEventChangeSerializer, request)
        try:
            services.change_negative_event(
                event,
                version=data["version"],
                acting_user=request.user,
                category=data.get("category"),
                severity=data.get("severity"),
                date=data.get("date"),
                title=data.get("title"),
                description=data.get("description"),
                decision_number=data.get("decision_number"),
                documents=data["documents"],
                remove_documents=data["remove_documents"],
            )
        except RecordRefused as refused:
            return refusal(refused)
        return Response(self._read(event))

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        event = self.get_object()
        query = VersionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            services.delete_negative_event(
                event, version=query.validated_data.get("version"), acting_user=request.user
            )
        except RecordRefused as refused:
            return refusal(refused)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _valid(self, serializer_class, request: Request) -> dict[str, Any]:
        data = request.data
        if hasattr(data, "getlist"):
            lists = {name: data.getlist(name) for name in ("remove_documents",) if name in data}
            data = {**data.dict(), **lists, "documents": request.FILES.getlist("documents")}
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _read(self, event: NegativeEvent) -> dict[str, Any]:
        fresh: QuerySet[NegativeEvent] = self.get_queryset()
        return self.get_serializer(fresh.get(pk=event.pk)).data
