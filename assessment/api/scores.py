"""API endpoints of stored scores and roll-ups (read-only).

`/scores/` lists subjects' scores (one per counted submission); a score's detail adds its
indicators with their provenance. `/rollups/` lists organizations' roll-ups over their subtrees,
one row per dimension ("dimension" null for the total). Both start from the scoped managers, so a
branch secretary sees their own unit's rows and a committee reviewer their subtree's; anything
else is absent or 404.
"""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers

from core.filters import IntegerFilter
from organizations.api.filters import ScopedFilterSet
from organizations.api.serializers import OrganizationSummarySerializer
from organizations.mixins import ScopedReadOnlyViewSet

from ..choices import SubjectUnit, SubmissionState
from ..models import Rollup, SubjectScore
from ..selectors import scores as selectors
from ..services.rollup import ROLLUP_FIELDS

DIMENSION_PARAMETER = OpenApiParameter(
    "dimension",
    OpenApiTypes.STR,
    description=_("A dimension code: show only that dimension's entry of each score."),
)


class DimensionShareSerializer(serializers.Serializer):
    """A subject's points in one dimension (its whole subtree)."""

    code = serializers.CharField(label=_("dimension"))
    points = serializers.FloatField(label=_("points"))
    max = serializers.FloatField(label=_("maximum"))
    also_points = serializers.FloatField(label=_("points of indicators also counted here"))
    also_max = serializers.FloatField(label=_("their maximum"))
    bonus = serializers.FloatField(label=_("bonus points"))
    share = serializers.FloatField(label=_("share"), help_text=_("All points ÷ all maximums."))


class IndicatorResultSerializer(serializers.Serializer):
    """One indicator's result in a subject's score, with what it was computed from."""

    code = serializers.CharField(label=_("indicator"))
    points = serializers.FloatField(label=_("points"))
    max = serializers.FloatField(label=_("maximum"))
    fraction = serializers.FloatField(allow_null=True, label=_("fraction"))
    status = serializers.ChoiceField(choices=SubjectScore.Status.choices, label=_("status"))
    rectify = serializers.BooleanField(label=_("to rectify"))
    triggered = serializers.BooleanField(label=_("veto triggered"))
    value = serializers.JSONField(allow_null=True, label=_("value scored"))
    provenance = serializers.DictField(
        label=_("provenance"),
        help_text=_("Inputs, rule, rubric, weight, re-normalisation factor and intermediates."),
    )


class SubjectScoreSerializer(serializers.ModelSerializer):
    """A subject's stored score for one period."""

    organization = OrganizationSummarySerializer(read_only=True)
    subject_name = serializers.CharField(
        source="submission.subject_name", read_only=True, label=_("subject")
    )
    grade = serializers.SerializerMethodField(label=_("grade"))
    vetoed = serializers.BooleanField(read_only=True, label=_("vetoed"))
    dimensions = serializers.SerializerMethodField(label=_("dimensions"))

    class Meta:
        model = SubjectScore
        fields = [
            "id",
            "submission",
            "period",
            "organization",
            "subject_kind",
            "subject_unit",
            "subject_name",
            "state",
            "total",
            "base",
            "bonus",
            "max",
            "grade",
            "stars",
            "vetoed",
            "vetoes",
            "missing",
            "rectify",
            "dimensions",
            "computed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_grade(self, score: SubjectScore) -> str | None:
        return score.grade or None

    @extend_schema_field(DimensionShareSerializer(many=True))
    def get_dimensions(self, score: SubjectScore) -> list[dict[str, Any]]:
        wanted = self.context.get("dimension")
        names = ("points", "max", "also_points", "also_max", "bonus", "share")
        return [
            {"code": code, **dict(zip(names, entry, strict=True))}
            for code, entry in score.dimensions.items()
            if not wanted or code == wanted
        ]


class SubjectScoreDetailSerializer(SubjectScoreSerializer):
    """A subject's score with every indicator's result and provenance."""

    indicators = serializers.SerializerMethodField(label=_("indicators"))

    class Meta(SubjectScoreSerializer.Meta):
        fields = [*SubjectScoreSerializer.Meta.fields, "inputs", "indicators"]
        read_only_fields = fields

    @extend_schema_field(IndicatorResultSerializer(many=True))
    def get_indicators(self, score: SubjectScore) -> list[dict[str, Any]]:
        return IndicatorResultSerializer(selectors.indicator_results(score), many=True).data


class RollupSerializer(serializers.ModelSerializer):
    """An organization's score over its subtree in one dimension (null: the total)."""

    organization = OrganizationSummarySerializer(read_only=True)
    dimension = serializers.SerializerMethodField(label=_("dimension"))
    grade = serializers.SerializerMethodField(label=_("grade"))

    class Meta:
        model = Rollup
        fields = ["id", *ROLLUP_FIELDS]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_dimension(self, row: Rollup) -> str | None:
        return row.dimension or None

    @extend_schema_field(OpenApiTypes.STR)
    def get_grade(self, row: Rollup) -> str | None:
        return row.grade or None


class ScoreFilterSet(ScopedFilterSet):
    period = IntegerFilter(field_name="period_id", label=_("period"))
    organization = IntegerFilter(
        field_name="organization_id",
        label=_("organization"),
        help_text=_("An organization id: the scores of subjects hanging directly from it."),
    )
    subject_kind = django_filters.CharFilter(
        label=_("subject kind"), help_text=_("A subject kind code of the framework.")
    )
    subject_unit = django_filters.ChoiceFilter(choices=SubjectUnit.choices, label=_("unit"))
    state = django_filters.ChoiceFilter(
        choices=[(s, s.label) for s in (SubmissionState.APPROVED, SubmissionState.LOCKED)],
        label=_("state"),
    )
    grade = django_filters.CharFilter(label=_("grade"))

    class Meta:
        model = SubjectScore
        fields = [
            "period",
            "organization",
            "within",
            "subject_kind",
            "subject_unit",
            "state",
            "grade",
        ]


class RollupFilterSet(ScopedFilterSet):
    period = IntegerFilter(field_name="period_id", label=_("period"))
    organization = IntegerFilter(
        field_name="organization_id",
        label=_("organization"),
        help_text=_("An organization id: its own roll-up rows."),
    )
    parent = IntegerFilter(
        method="filter_parent",
        label=_("parent"),
        help_text=_(
            "An organization id: the rows of its children (to drill down). Empty if that "
            "organization is not in your scope."
        ),
    )
    dimension = django_filters.CharFilter(
        label=_("dimension"), help_text=_("A dimension code; see `total` for the totals.")
    )
    total = django_filters.BooleanFilter(
        method="filter_total",
        label=_("total"),
        help_text=_("true: only the total rows; false: only the dimensions' rows."),
    )
    kind = django_filters.CharFilter(
        field_name="organization__kind__code",
        label=_("organization kind"),
        help_text=_("Organization kind code (with depth: the peers a rank is among)."),
    )
    depth = IntegerFilter(field_name="organization__depth", label=_("depth"))
    flagged = django_filters.BooleanFilter(label=_("missing submissions flagged"))

    class Meta:
        model = Rollup
        fields = [
            "period",
            "organization",
            "within",
            "parent",
            "dimension",
            "total",
            "kind",
            "depth",
            "flagged",
        ]

    def filter_parent(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        if self.visible_path(value) is None:
            return queryset.none()
        return queryset.filter(organization__parent_id=value)

    def filter_total(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(dimension="") if value else queryset.exclude(dimension="")


@extend_schema_view(
    list=extend_schema(summary=_("Subject scores in your scope"), parameters=[DIMENSION_PARAMETER]),
    retrieve=extend_schema(
        summary=_("One subject score with its indicators"),
        parameters=[DIMENSION_PARAMETER],
        responses=SubjectScoreDetailSerializer,
    ),
)
@extend_schema(tags=["scores"])
class SubjectScoreViewSet(ScopedReadOnlyViewSet):
    """Stored scores of the subjects in the caller's scope (approved and locked submissions)."""

    queryset = SubjectScore.objects.select_related("organization__kind", "submission")
    serializer_class = SubjectScoreSerializer
    filterset_class = ScoreFilterSet
    search_fields = ["submission__subject_name", "organization__code"]
    ordering_fields = ["total", "computed_at", "subject_kind"]

    def get_queryset(self) -> QuerySet[SubjectScore]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            return queryset.select_related("period__framework")
        return queryset.defer("indicators", "inputs")  # the bulk of a row, shown in the detail

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return SubjectScoreDetailSerializer if self.action == "retrieve" else SubjectScoreSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "dimension": self.request.GET.get("dimension")}


@extend_schema_view(
    list=extend_schema(summary=_("Roll-ups in your scope")),
    retrieve=extend_schema(summary=_("One roll-up row")),
)
@extend_schema(tags=["scores"])
class RollupViewSet(ScopedReadOnlyViewSet):
    """Organizations' scores over their subtrees: one row per period, organization and dimension.

    Ranks: among siblings (children of one parent) and among peers (same root, kind and depth;
    refreshed within about a minute of an approval and by every full recompute).
    """

    queryset = Rollup.objects.select_related("organization__kind")
    serializer_class = RollupSerializer
    filterset_class = RollupFilterSet
    search_fields = ["organization__code", "organization__name", "organization__name_en"]
    ordering_fields = ["score", "rank_siblings", "rank_peers", "change", "completeness"]
