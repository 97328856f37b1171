"""API of business figures: /api/v1/business-figures/ and /api/v1/business-measures/.

Figures are read from `BusinessFigure.objects.restrict(user, "view")`: a figure outside the
caller's scope is a 404. Writes go through `services.figures.save_figures`: a caller without
`figures` on the organization gets a 403 with the reason, a refused value a 400 with the reason
(by the measure's name), and a change based on an older `version` a 409 with `current_version`.
An organization outside the caller's scope is answered like one that does not exist (400).
Measures are group-wide and read by anyone signed in.
"""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api_schema import ErrorSerializer
from core.filters import IntegerFilter
from organizations.api.filters import ScopedFilterSet
from organizations.mixins import ScopedViewSetMixin
from organizations.models import Organization

from ..choices import FigureSource
from ..models import BusinessFigure, BusinessMeasure
from ..services.figures import FiguresRefused, NotAllowed, StaleFigures, save_figures
from .serializers import (
    FigureChangeSerializer,
    FigureCreateSerializer,
    FigureSerializer,
    MeasureSerializer,
)

REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description=_lazy("Refused input.")),
    403: OpenApiResponse(
        ErrorSerializer, description=_lazy("You may not enter figures for this organization.")
    ),
    409: OpenApiResponse(ErrorSerializer, description=_lazy("Changed since your version.")),
}


class FigureFilterSet(ScopedFilterSet):
    organization = IntegerFilter(
        field_name="organization_id",
        label=_lazy("organization"),
        help_text=_lazy("An organization id: its own figures only (see also `within`)."),
    )
    year = IntegerFilter(field_name="year", label=_lazy("year"))
    measure = django_filters.CharFilter(
        field_name="measure__code", label=_lazy("measure"), help_text=_lazy("A measure code.")
    )

    class Meta:
        model = BusinessFigure
        fields = ["organization", "within", "year", "measure"]


def _refusal(refused: FiguresRefused, current: int | None = None) -> Response:
    body: dict = {"detail": refused.message}
    if refused.errors:
        body["detail"] = " ".join([refused.message, *refused.errors.values()])
        body["errors"] = refused.errors
    code = status.HTTP_400_BAD_REQUEST
    if isinstance(refused, StaleFigures):
        code = status.HTTP_409_CONFLICT
        body["current_version"] = current
    elif isinstance(refused, NotAllowed):
        code = status.HTTP_403_FORBIDDEN
    return Response(body, status=code)


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _current(figure_filter: dict) -> int | None:
    return BusinessFigure.objects.filter(**figure_filter).values_list("version", flat=True).first()


@extend_schema_view(
    list=extend_schema(summary=_lazy("Business figures in your scope")),
    retrieve=extend_schema(summary=_lazy("One business figure")),
    create=extend_schema(
        summary=_lazy("Enter a business figure (finance role)"),
        request=FigureCreateSerializer,
        responses={201: FigureSerializer, **REFUSALS},
    ),
    partial_update=extend_schema(
        summary=_lazy("Change a business figure (finance role)"),
        request=FigureChangeSerializer,
        responses={200: FigureSerializer, **REFUSALS},
    ),
)
@extend_schema(tags=["business"])
class FigureViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Business figures of the caller's scope, by organization, newest year first."""

    queryset = BusinessFigure.objects.select_related(
        "organization__kind", "measure", "updated_by"
    ).order_by("organization__path", "-year", "measure__position", "pk")
    serializer_class = FigureSerializer
    filterset_class = FigureFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = _valid(FigureCreateSerializer, request)
        organization = (
            Organization.objects.restrict(request.user).filter(pk=data["organization"]).first()
        )
        if organization is None:
            return Response(
                {"detail": _("No such organization in your scope.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        where = {
            "organization": organization,
            "year": data["year"],
            "measure__code": data["measure"],
        }
        try:
            save_figures(
                organization,
                data["year"],
                {data["measure"]: data["value"]},
                versions={},
                acting_user=request.user,
                source=FigureSource.API,
            )
        except FiguresRefused as refused:
            return _refusal(refused, _current(where))
        figure = self.get_queryset().get(**where)
        return Response(self.get_serializer(figure).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        figure = self.get_object()
        data = _valid(FigureChangeSerializer, request)
        code = figure.measure.code
        try:
            save_figures(
                figure.organization,
                figure.year,
                {code: data["value"]},
                versions={code: data["version"]},
                acting_user=request.user,
                source=FigureSource.API,
            )
        except FiguresRefused as refused:
            return _refusal(refused, _current({"pk": figure.pk}))
        return Response(self.get_serializer(self.get_queryset().get(pk=figure.pk)).data)


@extend_schema_view(
    list=extend_schema(summary=_lazy("Business measures")),
    retrieve=extend_schema(summary=_lazy("One business measure")),
)
@extend_schema(tags=["business"])
class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    """The measures figures are kept for (group-wide: not scoped by organization)."""

    queryset = BusinessMeasure.objects.order_by("position", "code")
    serializer_class = MeasureSerializer
    filterset_fields = ["is_active", "scale"]
