"""API endpoints of rectification items: list and read them, update the plan, take the steps.

Items start from `Rectification.objects.restrict(user, "view")`, so one outside the caller's scope
is a 404. Writes go through `services`, which decide who may do what: a caller who may see an item
but not take a step gets a 403 with the service's message, a change based on an older version a
409, a step not possible now a 400. Every write names the version it was based on.
"""

from typing import Any

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.filters import IntegerFilter
from core.parsers import JSONParser
from organizations.api.filters import ScopedFilterSet
from organizations.mixins import ScopedViewSetMixin

from .. import selectors, services
from ..models import Rectification, RectificationEvent, RectificationEvidence
from .serializers import (
    RectificationClosureSerializer,
    RectificationConfirmSerializer,
    RectificationDetailSerializer,
    RectificationErrorSerializer,
    RectificationRejectSerializer,
    RectificationSerializer,
    RectificationUpdateSerializer,
)


class RectificationFilterSet(ScopedFilterSet):
    period = IntegerFilter(field_name="period_id", label=_lazy("period"))
    organization = IntegerFilter(
        field_name="organization_id",
        label=_lazy("organization"),
        help_text=_lazy("An organization id: the items of that unit only (see also `within`)."),
    )
    state = django_filters.ChoiceFilter(choices=Rectification.State.choices, label=_lazy("state"))
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_lazy("overdue"),
        help_text=_lazy("True: only items not closed whose due date has passed."),
    )
    indicator = django_filters.CharFilter(field_name="indicator_code", label=_lazy("indicator"))

    class Meta:
        model = Rectification
        fields = ["period", "organization", "within", "state", "overdue", "indicator"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = ~Q(state=Rectification.State.CLOSED) & Q(due_date__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


def refusal(error: services.RectificationError) -> Response:
    code = status.HTTP_400_BAD_REQUEST
    body: dict[str, Any] = {"detail": str(error)}
    if isinstance(error, services.StaleVersion):
        code = status.HTTP_409_CONFLICT
        body["current_version"] = error.current
    elif isinstance(error, services.NotAllowed):
        code = status.HTTP_403_FORBIDDEN
    return Response(body, status=code)


Error = RectificationErrorSerializer
REFUSALS = {
    400: OpenApiResponse(Error, description=_lazy("Not possible now, or bad input.")),
    403: OpenApiResponse(Error, description=_lazy("You may not take this step.")),
    404: OpenApiResponse(description=_lazy("Not in your scope, or no such item.")),
    409: OpenApiResponse(Error, description=_lazy("Changed since your version.")),
}


@extend_schema_view(
    list=extend_schema(summary=_lazy("Rectification items in your scope")),
    retrieve=extend_schema(summary=_lazy("One item with its history, evidence, next period")),
    partial_update=extend_schema(
        summary=_lazy("Change the plan, progress, owner or due date"),
        request=RectificationUpdateSerializer,
        responses={200: RectificationDetailSerializer, **REFUSALS},
    ),
)
@extend_schema(tags=["rectification"])
class RectificationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Rectification items of the caller's scope, the most urgent first."""

    queryset = Rectification.objects.select_related(
        "organization__kind", "period__framework", "owner"
    ).order_by("due_date", "pk")
    serializer_class = RectificationSerializer
    filterset_class = RectificationFilterSet
    ordering_fields = ["due_date", "created_at", "updated_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return RectificationSerializer if self.action == "list" else RectificationDetailSerializer

    def get_queryset(self) -> QuerySet[Rectification]:
        queryset = super().get_queryset()
        if self.action == "list":
            return queryset
        return queryset.select_related("closure_requested_by", "confirmed_by").prefetch_related(
            Prefetch("events", queryset=RectificationEvent.objects.select_related("by")),
            Prefetch(
                "evidence", queryset=RectificationEvidence.objects.select_related("uploaded_by")
            ),
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "next_results": getattr(self, "_next", {})}

    def list(self, request: Request, *args, **kwargs) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(page if page is not None else queryset)
        self._next = selectors.decorate(items)
        data = self.get_serializer(items, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        return self._detail(self.get_object())

    def _detail(self, item: Rectification) -> Response:
        fresh = self.get_queryset().get(pk=item.pk)
        self._next = selectors.decorate([fresh])
        return Response(self.get_serializer(fresh).data)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        item = self.get_object()
        data = self._valid(RectificationUpdateSerializer, request)
        owner = None
        if data.get("owner") is not None:
            owner = services.owner_choices(item).filter(pk=data["owner"]).first()
            if owner is None:
                return Response(
                    {"detail": _("The owner must be someone who enters data for this unit.")},
                    status=status.HTTP_400_BAD_REQUEST,
                )
        return self._step(
            item,
            services.update,
            version=data["version"],
            plan=data.get("plan"),
            progress_note=data.get("progress_note"),
            owner=owner,
            due_date=data.get("due_date"),
        )

    @extend_schema(
        summary=_lazy("Request closure with a closing note and evidence files"),
        request={"multipart/form-data": RectificationClosureSerializer},
        responses={200: RectificationDetailSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def request_closure(self, request: Request, pk=None) -> Response:
        item = self.get_object()
        data = self._valid(RectificationClosureSerializer, request)
        return self._step(
            item,
            services.request_closure,
            version=data["version"],
            closing_note=data["closing_note"],
            files=data.get("files", []),
        )

    @extend_schema(
        summary=_lazy("Confirm the closure (a reviewer of an ancestor)"),
        request=RectificationConfirmSerializer,
        responses={200: RectificationDetailSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk=None) -> Response:
        item = self.get_object()
        data = self._valid(RectificationConfirmSerializer, request)
        return self._step(item, services.confirm, version=data["version"], note=data["note"])

    @extend_schema(
        summary=_lazy("Reject the closure with a reason (back to in progress)"),
        request=RectificationRejectSerializer,
        responses={200: RectificationDetailSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk=None) -> Response:
        item = self.get_object()
        data = self._valid(RectificationRejectSerializer, request)
        return self._step(item, services.reject, version=data["version"], reason=data["reason"])

    def _valid(self, serializer_class, request: Request) -> dict[str, Any]:
        data = request.data
        if serializer_class is RectificationClosureSerializer and hasattr(data, "getlist"):
            data = {**data.dict(), "files": request.FILES.getlist("files")}
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _step(self, item: Rectification, step, **kwargs) -> Response:
        try:
            step(item, acting_user=self.request.user, **kwargs)
        except services.RectificationError as refused:
            return refusal(refused)
        return self._detail(item)
