"""API of member appraisals and follow-ups: /api/v1/appraisals/, /api/v1/follow-ups/.

Both start from the model's scope restriction for VIEW: one outside the caller's scope is a 404.
An appraisal is read with its members' grades (rank, score, votes, proposed and decided grade,
reason). `POST /appraisals/{id}/grades/` decides grades (`grades`: a list of {id, grade, reason},
all saved or none; the branch or a reviewer of it) and `POST /appraisals/{id}/approve/` approves
(a reviewer above the branch; refused while the top grade exceeds the cap). Follow-up steps are
listed (filters `period`, `organization`, `within`, `state` open/overdue/done), read, and
updated by PATCH (`done_on`, `owner` a user id, `note`). Every write names the `version` read:
a stale one is a 409 with `current_version`, a refused change a 400, a caller who may see but
not act a 403; nothing is changed.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api_schema import ErrorSerializer
from core.filters import IntegerFilter
from organizations.api.filters import ScopedFilterSet
from organizations.api.serializers import OrganizationSummarySerializer
from organizations.mixins import ScopedViewSetMixin

from ..choices import AppraisalState
from ..models import FollowUp, MemberAppraisal, MemberGrade
from ..services import appraisals as services
from .refusals import StandardsRefusalSerializer, refusal

REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description=_lazy("Refused input.")),
    403: OpenApiResponse(ErrorSerializer, description=_lazy("You may not make this change.")),
    404: OpenApiResponse(description=_lazy("Not in your scope, or no such row.")),
    409: OpenApiResponse(
        StandardsRefusalSerializer, description=_lazy("Changed since your version.")
    ),
}


def _data(request: Request):
    return request.data.dict() if hasattr(request.data, "dict") else request.data


class MemberGradeSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = MemberGrade
        fields = ["id", "person", "name", "rank", "score", "votes", "proposed", "grade", "reason"]
        read_only_fields = fields


class AppraisalSerializer(serializers.ModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True)
    members = serializers.IntegerField(read_only=True)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None)

    class Meta:
        model = MemberAppraisal
        fields = [
            "id",
            "period",
            "organization",
            "state",
            "top_share",
            "members",
            "approved_by",
            "approved_at",
            "version",
        ]
        read_only_fields = fields


class AppraisalDetailSerializer(AppraisalSerializer):
    grades = MemberGradeSerializer(many=True, read_only=True)
    top_grade = serializers.SerializerMethodField()
    top_limit = serializers.SerializerMethodField()
    top_count = serializers.SerializerMethodField()

    class Meta(AppraisalSerializer.Meta):
        fields = [*AppraisalSerializer.Meta.fields, "top_grade", "top_count", "top_limit", "grades"]
        read_only_fields = fields

    def _cap(self, appraisal: MemberAppraisal):
        key = "_cap"
        if not hasattr(appraisal, key):
            scale = services.scale_for(appraisal.period)
            grades = [g.grade for g in appraisal.grades.all()]
            use = services.cap_use(scale, grades, appraisal.top_share) if scale else None
            setattr(appraisal, key, (scale, use))
        return getattr(appraisal, key)

    def get_top_grade(self, appraisal: MemberAppraisal) -> str:
        scale, _use = self._cap(appraisal)
        return scale.top_grade if scale else ""

    def get_top_limit(self, appraisal: MemberAppraisal) -> int | None:
        _scale, use = self._cap(appraisal)
        return use.limit if use else None

    def get_top_count(self, appraisal: MemberAppraisal) -> int | None:
        _scale, use = self._cap(appraisal)
        return use.top if use else None


class GradeDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1)
    grade = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class GradesSerializer(serializers.Serializer):
    grades = GradeDecisionSerializer(many=True, allow_empty=False)
    version = serializers.IntegerField(min_value=1)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


class AppraisalFilterSet(ScopedFilterSet):
    period = IntegerFilter(field_name="period_id", label=_lazy("period"))
    organization = IntegerFilter(field_name="organization_id", label=_lazy("organization"))
    state = django_filters.ChoiceFilter(choices=AppraisalState.choices, label=_lazy("state"))

    class Meta:
        model = MemberAppraisal
        fields = ["period", "organization", "state", "within"]


@extend_schema(tags=["standards"])
class AppraisalViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Member appraisals of the caller's scope, one per branch and year."""

    queryset = MemberAppraisal.objects.select_related(
        "organization__kind", "period__framework", "approved_by"
    ).annotate(members=Count("grades"))
    serializer_class = AppraisalSerializer
    filterset_class = AppraisalFilterSet

    def get_queryset(self) -> QuerySet[MemberAppraisal]:
        queryset = super().get_queryset().order_by("-period__start", "organization__path")
        if self.action == "list":
            return queryset
        grades = MemberGrade.objects.select_related("person").order_by("rank", "pk")
        return queryset.prefetch_related(Prefetch("grades", queryset=grades))

    def get_serializer_class(self):
        return AppraisalSerializer if self.action == "list" else AppraisalDetailSerializer

    def _detail(self, appraisal: MemberAppraisal) -> Response:
        fresh = self.get_queryset().get(pk=appraisal.pk)
        return Response(
            AppraisalDetailSerializer(fresh, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary=_lazy("Decide members' grades (all or none)"),
        request=GradesSerializer,
        responses={200: AppraisalDetailSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def grades(self, request: Request, pk=None) -> Response:
        appraisal = self.get_object()
        serializer = GradesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        decisions = {d["id"]: (d["grade"], d["reason"]) for d in data["grades"]}
        if len(decisions) != len(data["grades"]):
            return Response(
                {"detail": _("A member appears twice in the grades.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            services.set_grades(
                appraisal, decisions, version=data["version"], acting_user=request.user
            )
        except services.AppraisalRefused as refused:
            return refusal(refused)
        return self._detail(appraisal)

    @extend_schema(
        summary=_lazy("Approve the appraisal (a reviewer above the branch)"),
        request=VersionSerializer,
        responses={200: AppraisalDetailSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        appraisal = self.get_object()
        serializer = VersionSerializer(data=_data(request))
        serializer.is_valid(raise_exception=True)
        try:
            services.approve(
                appraisal, version=serializer.validated_data["version"], acting_user=request.user
            )
        except services.AppraisalRefused as refused:
            return refusal(refused)
        return self._detail(appraisal)


class FollowUpSerializer(serializers.ModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    period = serializers.IntegerField(source="grade.appraisal.period_id", read_only=True)
    grade = serializers.CharField(source="grade.grade", read_only=True)
    owner = serializers.CharField(source="owner.username", read_only=True, default=None)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "organization",
            "person",
            "name",
            "period",
            "grade",
            "step",
            "due",
            "done_on",
            "owner",
            "note",
            "overdue",
            "version",
        ]
        read_only_fields = fields

    def get_overdue(self, item: FollowUp) -> bool:
        return item.done_on is None and item.due < timezone.localdate()


class FollowUpUpdateSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, allow_null=True)
    owner = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(min_value=1)


class FollowUpFilterSet(ScopedFilterSet):
    period = IntegerFilter(field_name="grade__appraisal__period_id", label=_lazy("period"))
    organization = IntegerFilter(field_name="organization_id", label=_lazy("organization"))
    state = django_filters.ChoiceFilter(
        choices=[
            ("open", _lazy("Not done")),
            ("overdue", _lazy("Overdue")),
            ("done", _lazy("Done")),
        ],
        method="filter_state",
        label=_lazy("state"),
    )

    class Meta:
        model = FollowUp
        fields = ["period", "organization", "state", "within"]

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open":
            return queryset.filter(done_on__isnull=True)
        if value == "overdue":
            return queryset.filter(Q(done_on__isnull=True) & Q(due__lt=timezone.localdate()))
        if value == "done":
            return queryset.filter(done_on__isnull=False)
        return queryset


@extend_schema(tags=["standards"])
class FollowUpViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The follow-up steps of members appraised 基本合格 or 不合格, the most urgent first."""

    queryset = FollowUp.objects.select_related(
        "organization__kind", "person", "owner", "grade__appraisal"
    ).order_by("done_on", "due", "pk")
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(
        summary=_lazy("Record a step's owner, note or the date it was done"),
        request=FollowUpUpdateSerializer,
        responses={200: FollowUpSerializer, **REFUSALS},
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        item = self.get_object()
        serializer = FollowUpUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        owner = item.owner
        if "owner" in data:
            owner = None
            if data["owner"] is not None:
                owner = get_user_model().objects.filter(pk=data["owner"]).first()
                if owner is None:
                    return Response(
                        {"detail": _("The owner must be someone with a role on this branch.")},
                        status=status.HTTP_400_BAD_REQUEST,
                    )
        try:
            services.update_follow_up(
                item,
                done_on=data.get("done_on", item.done_on),
                owner=owner,
                note=data.get("note", item.note),
                version=data["version"],
                acting_user=request.user,
            )
        except services.AppraisalRefused as refused:
            return refusal(refused)
        fresh = self.get_queryset().get(pk=item.pk)
        return Response(self.get_serializer(fresh).data)


__all__ = ["ROUTES", "AppraisalViewSet", "FollowUpViewSet"]

ROUTES: list = [
    ("appraisals", AppraisalViewSet, "appraisal"),
    ("follow-ups", FollowUpViewSet, "follow-up"),
]
