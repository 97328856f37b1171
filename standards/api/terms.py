"""API of terms: /api/v1/terms/.

Term results are read from `TermResult.objects.restrict(user, "view")` (filters `organization`,
`first_year`, `within`): a term outside the caller's scope is a 404. They are derived data,
written by the roll-up; the one thing entered is the regulator's business grade of a term
(`POST /terms/{id}/business-grade/` with `grade` A–D and the `version` read), by a reviewer above
the organization or a group administrator: a refused grade is a 400, a caller who may not enter
it a 403, a stale `version` a 409 with `current_version`; nothing is changed.
`GET /terms/group-record/` answers the group's record (连续 A 级年数, 任期 A 级次数, 年均增长)
for the root organization of the caller's scope (404 when the caller does not see one).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from core.api_schema import ErrorSerializer
from core.filters import IntegerFilter
from organizations.api.filters import ScopedFilterSet
from organizations.api.serializers import OrganizationSummarySerializer
from organizations.mixins import ScopedViewSetMixin

from .. import terms as pure
from ..models import TermResult
from ..selectors import terms as selectors
from ..services import terms as services
from .refusals import StandardsRefusalSerializer, refusal

REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description=_lazy("Refused input.")),
    403: OpenApiResponse(ErrorSerializer, description=_lazy("You may not make this change.")),
    404: OpenApiResponse(description=_lazy("Not in your scope, or no such term.")),
    409: OpenApiResponse(
        StandardsRefusalSerializer, description=_lazy("Changed since your version.")
    ),
}


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True)
    grade = serializers.CharField(allow_blank=True)
    vetoed = serializers.BooleanField()
    revenue_growth = serializers.FloatField(allow_null=True)
    profit_growth = serializers.FloatField(allow_null=True)
    business = serializers.CharField(allow_blank=True)


class TermResultSerializer(serializers.ModelSerializer):
    """A term with its years, figures and grades."""

    organization = OrganizationSummarySerializer(read_only=True)
    years = YearSerializer(many=True, read_only=True)
    business_grade_by = serializers.CharField(
        source="business_grade_by.username", read_only=True, default=None
    )
    growth_target = serializers.SerializerMethodField(label=_lazy("growth target (%)"))

    class Meta:
        model = TermResult
        fields = [
            "id",
            "organization",
            "first_year",
            "last_year",
            "years",
            "average",
            "a_grades",
            "trend",
            "grade",
            "complete",
            "revenue_growth",
            "profit_growth",
            "growth_target",
            "business_grade",
            "business_grade_by",
            "business_grade_at",
            "computed_at",
            "version",
        ]
        read_only_fields = fields

    def get_growth_target(self, term: TermResult) -> float:
        return float((term.details or {}).get("growth_target", 20))


class BusinessGradeSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=pure.BUSINESS_CHOICES)
    version = serializers.IntegerField(min_value=1)


class RunSerializer(serializers.Serializer):
    length = serializers.IntegerField()
    first_year = serializers.IntegerField(allow_null=True)
    last_year = serializers.IntegerField(allow_null=True)


class TermLineSerializer(serializers.Serializer):
    first_year = serializers.IntegerField()
    last_year = serializers.IntegerField()
    grade = serializers.CharField(allow_blank=True)
    business_grade = serializers.CharField(allow_blank=True)
    complete = serializers.BooleanField()


class GroupRecordSerializer(serializers.Serializer):
    """The group's record: top grades in a row, term top grades, growth against the target."""

    organization = serializers.IntegerField()
    first_year = serializers.IntegerField(allow_null=True)
    last_year = serializers.IntegerField(allow_null=True)
    top_grade = serializers.CharField()
    streak = RunSerializer()
    longest = RunSerializer()
    business_streak = RunSerializer()
    business_longest = RunSerializer()
    term_a_grades = serializers.IntegerField()
    business_term_a_grades = serializers.IntegerField()
    terms = TermLineSerializer(many=True)
    revenue_growth = serializers.FloatField(allow_null=True)
    profit_growth = serializers.FloatField(allow_null=True)
    growth_target = serializers.FloatField()
    revenue_meets = serializers.BooleanField(allow_null=True)
    profit_meets = serializers.BooleanField(allow_null=True)
    years = YearSerializer(many=True)


class TermResultFilterSet(ScopedFilterSet):
    organization = IntegerFilter(field_name="organization_id", label=_lazy("organization"))
    first_year = IntegerFilter(field_name="first_year", label=_lazy("first year"))

    class Meta:
        model = TermResult
        fields = ["organization", "first_year", "within"]


@extend_schema(tags=["standards"])
class TermResultViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The term results of the caller's scope, by organization, newest term first."""

    queryset = TermResult.objects.select_related("organization__kind", "business_grade_by")
    serializer_class = TermResultSerializer
    filterset_class = TermResultFilterSet

    def get_queryset(self):
        return super().get_queryset().order_by("organization__path", "-first_year")

    @extend_schema(
        summary=_lazy("Enter the regulator's business grade of the term"),
        request=BusinessGradeSerializer,
        responses={200: TermResultSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"], url_path="business-grade")
    def business_grade(self, request: Request, pk=None) -> Response:
        term = self.get_object()
        data = request.data.dict() if hasattr(request.data, "dict") else request.data
        serializer = BusinessGradeSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        try:
            services.set_business_grade(
                term,
                grade=serializer.validated_data["grade"],
                version=serializer.validated_data["version"],
                acting_user=request.user,
            )
        except services.TermRefused as refused:
            return refusal(refused)
        fresh = self.get_queryset().get(pk=term.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(
        summary=_lazy("The group's record"),
        responses={
            200: GroupRecordSerializer,
            404: OpenApiResponse(description=_lazy("No group record in your scope.")),
        },
    )
    @action(detail=False, methods=["get"], url_path="group-record", filterset_class=None)
    def group_record(self, request: Request) -> Response:
        root = selectors.root_in_scope(request.user)
        record = selectors.group_record(root) if root is not None else None
        if record is None:  # a JSON error like every other 404 of the API
            raise NotFound(_lazy("No group record in your scope."))
        data = GroupRecordSerializer(
            {**vars(record), "organization": root.pk},
        ).data
        return Response(data)


__all__ = ["ROUTES", "TermResultViewSet"]

ROUTES: list = [("terms", TermResultViewSet, "term")]
