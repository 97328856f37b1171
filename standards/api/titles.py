"""API of seven-good titles: list and read them in the caller's scope, decide one, and read how
any scored subject stands against its standard.

Titles start from `Title.objects.restrict(user, "view")`, so one outside the caller's scope is a
404. `decide` goes through `services.titles.decide`: a caller who may see the title but not
decide it gets a 403 with the reason, a decision based on an older version a 409, one not
possible now (quota full, already decided, no reason to withhold) a 400.
"""

import django_filters
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.filters import IntegerFilter
from organizations.api.filters import ScopedFilterSet
from organizations.mixins import ScopedViewSetMixin

from ..choices import Decision
from ..models import Title
from ..selectors import titles as selectors
from ..services import titles as services
from .refusals import StandardsRefusalSerializer, refusal


class TitleSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.display_name", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Title
        fields = [
            "id",
            "period",
            "submission",
            "organization",
            "organization_name",
            "subject_kind",
            "subject_name",
            "standard",
            "score",
            "state",
            "reason",
            "criteria",
            "proposed_at",
            "decided_by",
            "decided_at",
            "version",
            "details",
        ]
        read_only_fields = fields


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("confirm", _lazy("Confirm")), ("withhold", _lazy("Withhold"))]
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    version = serializers.IntegerField(min_value=1)


class TitleFilterSet(ScopedFilterSet):
    period = IntegerFilter(field_name="period_id", label=_lazy("period"))
    organization = IntegerFilter(field_name="organization_id", label=_lazy("organization"))
    standard = django_filters.CharFilter(field_name="standard", label=_lazy("standard"))
    state = django_filters.ChoiceFilter(choices=Decision.choices, label=_lazy("state"))

    class Meta:
        model = Title
        fields = ["period", "organization", "within", "standard", "state"]


REFUSALS = {
    400: OpenApiResponse(
        StandardsRefusalSerializer, description=_lazy("Not possible now, or bad input.")
    ),
    403: OpenApiResponse(
        StandardsRefusalSerializer, description=_lazy("You may not decide this title.")
    ),
    404: OpenApiResponse(description=_lazy("Not in your scope, or no such title.")),
    409: OpenApiResponse(
        StandardsRefusalSerializer, description=_lazy("Changed since your version.")
    ),
}


@extend_schema_view(
    list=extend_schema(summary=_lazy("Seven-good titles in your scope")),
    retrieve=extend_schema(summary=_lazy("One title with the criteria it was proposed on")),
)
@extend_schema(tags=["standards"])
class TitleViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Seven-good titles (七好领导班子, 七好党组织, …) of the caller's scope."""

    queryset = Title.objects.select_related("organization", "decided_by").order_by(
        "period", "standard", "-score", "pk"
    )
    serializer_class = TitleSerializer
    filterset_class = TitleFilterSet
    ordering_fields = ["score", "proposed_at", "decided_at"]

    @extend_schema(
        summary=_lazy("Confirm or withhold a proposed title"),
        request=DecideSerializer,
        responses={200: TitleSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk=None) -> Response:
        title = self.get_object()
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            decided = services.decide(
                title,
                confirm=data.validated_data["decision"] == "confirm",
                reason=data.validated_data["reason"],
                version=data.validated_data["version"],
                acting_user=request.user,
            )
        except services.TitleRefused as refused:
            return refusal(refused)
        return Response(TitleSerializer(self.get_queryset().get(pk=decided.pk)).data)

    @extend_schema(
        summary=_lazy("How a subject stands against its seven-good standard"),
        responses={
            200: OpenApiResponse(description=_lazy("The evaluation, criterion by criterion."))
        },
    )
    @action(detail=False, methods=["get"], url_path=r"standard/(?P<submission_id>[0-9]{1,18})")
    def standard(self, request: Request, submission_id: str) -> Response:
        found = selectors.subject_standards(request.user, int(submission_id))
        lang = get_language() or "zh-hans"
        return Response(
            {
                "submission": found.submission.pk,
                "subject_name": found.submission.subject_name,
                "scored": found.score is not None,
                "score": None if found.score is None else found.score.total,
                "standards": [
                    {
                        **result.to_dict(),
                        "text": result.explanation.get(lang),
                        "title_id": getattr(found.titles.get(result.standard), "pk", None),
                    }
                    for result in found.results
                ],
            }
        )


ROUTES: list = [("titles", TitleViewSet, "title")]
