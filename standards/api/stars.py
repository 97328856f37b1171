"""API of star-rated branches: the ratings in the caller's scope, the committee's confirmation,
and a branch's standardization checklist for a period.

Ratings start from `StarRating.objects.restrict(user, "view")`, so one outside the scope is a
404. The confirmation goes through `services.stars.decide`: a caller who may see the rating but is
not a reviewer above the branch gets a 403 with the reason, a confirmation based on an older
version a 409 with the version now stored, stars the rules refuse a 400.
"""

import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from assessment.models import Period
from core.filters import IntegerFilter, read_id
from core.parsers import JSONParser
from organizations.api.filters import ScopedFilterSet
from organizations.mixins import ScopedViewSetMixin
from organizations.models import Organization

from ..choices import Decision
from ..models import StarRating
from ..selectors import stars as selectors
from ..services import stars as services
from .refusals import StandardsRefusalSerializer, refusal


class StarRatingSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.display_name", read_only=True)
    year = serializers.IntegerField(source="period.start.year", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = StarRating
        fields = [
            "id",
            "period",
            "year",
            "organization",
            "organization_name",
            "score",
            "band_stars",
            "previous",
            "proposed",
            "stars",
            "vetoed",
            "state",
            "conditions",
            "steps",
            "reason",
            "proposed_at",
            "decided_by",
            "decided_at",
            "version",
            "details",
        ]
        read_only_fields = fields


class StarDecisionSerializer(serializers.Serializer):
    stars = serializers.IntegerField(min_value=0, max_value=5, label=_lazy("stars"))
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, label=_lazy("reason")
    )
    version = serializers.IntegerField(min_value=1, label=_lazy("version"))


class StarRatingFilterSet(ScopedFilterSet):
    period = IntegerFilter(field_name="period_id", label=_lazy("period"))
    organization = IntegerFilter(field_name="organization_id", label=_lazy("organization"))
    state = django_filters.ChoiceFilter(choices=Decision.choices, label=_lazy("state"))

    class Meta:
        model = StarRating
        fields = ["period", "organization", "within", "state"]


Error = StandardsRefusalSerializer
REFUSALS = {
    400: OpenApiResponse(Error, description=_lazy("The rules do not allow these stars.")),
    403: OpenApiResponse(Error, description=_lazy("Not a reviewer above the branch.")),
    404: OpenApiResponse(description=_lazy("Not in your scope, or no such rating.")),
    409: OpenApiResponse(Error, description=_lazy("Changed since your version.")),
}


@extend_schema(tags=["standards"])
class StarRatingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Star ratings of branches in the caller's scope: proposed from the scores, confirmed by
    the committee above each branch."""

    queryset = StarRating.objects.select_related("organization", "period", "decided_by").order_by(
        "-period__start", "organization__path"
    )
    serializer_class = StarRatingSerializer
    filterset_class = StarRatingFilterSet
    parser_classes = [JSONParser]

    @extend_schema(
        summary=_lazy("Confirm a branch's stars"),
        request=StarDecisionSerializer,
        responses={200: StarRatingSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        rating = self.get_object()
        serializer = StarDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            decided = services.decide(
                rating,
                stars=data["stars"],
                reason=data.get("reason", ""),
                version=data["version"],
                acting_user=request.user,
            )
        except services.StarsRefused as refused:
            return refusal(refused)
        return Response(self.get_serializer(decided).data)

    @extend_schema(
        summary=_lazy("A branch's standardization checklist for a period"),
        parameters=[
            OpenApiParameter("period", int, required=True),
            OpenApiParameter("organization", int, required=True),
        ],
        responses={
            200: dict,
            400: OpenApiResponse(Error, description=_lazy("No period or organization given.")),
            404: OpenApiResponse(
                Error, description=_lazy("Not in your scope, or no standardization there.")
            ),
        },
    )
    @action(detail=False, methods=["get"])
    def checklist(self, request: Request) -> Response:
        period_id = read_id(request.query_params.get("period"))
        organization_id = read_id(request.query_params.get("organization"))
        if period_id is None or organization_id is None:
            raise ValidationError(
                {"detail": _("Give a period and an organization, each by its id.")}
            )
        period = get_object_or_404(Period.objects.select_related("framework"), pk=period_id)
        branch = get_object_or_404(Organization.objects.restrict(request.user), pk=organization_id)
        result = selectors.checklist_of(period, branch)
        if result is None:
            return Response(
                {"detail": _("No standardization for this organization in this period.")},
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(
            {"period": period.pk, "organization": branch.pk, **result.to_dict()},
        )


ROUTES: list = [("star-ratings", StarRatingViewSet, "star-rating")]
