"""API endpoints of periods and submissions: reading them, saving values, the review workflow,
the history of values and evidence uploads.

Periods are group-wide: every signed-in caller may read them. Submissions start from
`Submission.objects.restrict(user, "view")`, so one outside the caller's scope is a 404; every
write goes through `services.submissions` / `services.evidence`, which decide who may do what. A
caller who may see a submission but not take a step gets a 403 with the service's message.
"""

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.filters import IntegerFilter
from organizations.api.filters import ScopedFilterSet
from organizations.api.serializers import OrganizationSummarySerializer
from organizations.mixins import ScopedViewSetMixin

from ..choices import PeriodKind, PeriodStatus, SubjectUnit, SubmissionState
from ..models import (
    Evidence,
    Framework,
    IndicatorValue,
    Period,
    Submission,
    Transition,
    ValueChange,
)
from ..services import evidence as evidence_services
from ..services import submissions as workflow
from .serializers import BilingualNameSerializer


class FrameworkSummarySerializer(serializers.ModelSerializer):
    """The framework version a period assesses against."""

    class Meta:
        model = Framework
        fields = ["id", "code", "version"]
        read_only_fields = fields


class PeriodSerializer(serializers.ModelSerializer):
    """An assessment period: its framework, dates and status."""

    framework = FrameworkSummarySerializer(read_only=True)
    name = BilingualNameSerializer(source="*", read_only=True)
    kind_display = serializers.CharField(
        source="get_kind_display", read_only=True, label=_("kind (display name)")
    )
    status_display = serializers.CharField(
        source="get_status_display", read_only=True, label=_("status (display name)")
    )

    class Meta:
        model = Period
        fields = [
            "id",
            "framework",
            "kind",
            "kind_display",
            "name",
            "start",
            "end",
            "deadline",
            "status",
            "status_display",
            "opened_at",
            "closed_at",
        ]
        read_only_fields = fields


class PeriodSummarySerializer(serializers.ModelSerializer):
    """A period named inside a submission."""

    name = BilingualNameSerializer(source="*", read_only=True)

    class Meta:
        model = Period
        fields = ["id", "kind", "name", "deadline", "status"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    """One subject's submission for one period, as listed."""

    period = PeriodSummarySerializer(read_only=True)
    organization = OrganizationSummarySerializer(read_only=True)
    state_display = serializers.CharField(
        source="get_state_display", read_only=True, label=_("state (display name)")
    )

    class Meta:
        model = Submission
        fields = [
            "id",
            "period",
            "organization",
            "subject_kind",
            "subject_unit",
            "subject_name",
            "leading_group",
            "department",
            "person",
            "state",
            "state_display",
            "version",
            "submitted_at",
            "approved_at",
            "updated_at",
        ]
        read_only_fields = fields


class ValueEntrySerializer(serializers.Serializer):
    """One indicator's stored value, and the reviewer's assessment of it where there is one."""

    value = serializers.JSONField(allow_null=True, label=_("value"))
    reviewed_value = serializers.JSONField(allow_null=True, label=_("reviewer's assessment"))
    review_reason = serializers.CharField(
        allow_blank=True, label=_("reason for the reviewer's assessment")
    )


class TransitionSerializer(serializers.ModelSerializer):
    """A step of the workflow."""

    by = serializers.CharField(source="by.username", read_only=True, label=_("by"))

    class Meta:
        model = Transition
        fields = ["from_state", "to_state", "by", "at", "reason"]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    """A file supporting one indicator's value (its content is downloaded from the portal)."""

    indicator = serializers.CharField(
        source="indicator.code", read_only=True, label=_("indicator code")
    )
    uploaded_by = serializers.CharField(
        source="uploaded_by.username", read_only=True, label=_("uploaded by")
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "indicator",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class SubmissionDetailSerializer(SubmissionSerializer):
    """A submission with its values by indicator code, evidence and workflow steps."""

    values = serializers.SerializerMethodField(
        help_text=_("Stored values by indicator code; indicators without a value are absent.")
    )
    evidence = EvidenceSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)
    can_enter = serializers.SerializerMethodField(
        help_text=_("Whether you enter data for this submission's organization.")
    )
    can_review = serializers.SerializerMethodField(
        help_text=_("Whether you review (return or approve) this submission.")
    )

    class Meta(SubmissionSerializer.Meta):
        fields = [
            *SubmissionSerializer.Meta.fields,
            "values",
            "evidence",
            "transitions",
            "can_enter",
            "can_review",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=ValueEntrySerializer()))
    def get_values(self, submission: Submission) -> dict[str, dict[str, Any]]:
        return {
            row.indicator.code: {
                "value": row.value,
                "reviewed_value": row.reviewed_value,
                "review_reason": row.review_reason,
            }
            for row in submission.values.all()
        }

    def get_can_enter(self, submission: Submission) -> bool:
        return workflow.can_enter(self.context["request"].user, submission)

    def get_can_review(self, submission: Submission) -> bool:
        return workflow.can_review(self.context["request"].user, submission)


class ValueChangeSerializer(serializers.ModelSerializer):
    """One change of one value: old → new, who, when, and the version it made."""

    indicator = serializers.CharField(
        source="indicator.code", read_only=True, label=_("indicator code")
    )
    changed_by = serializers.CharField(
        source="changed_by.username", read_only=True, label=_("changed by")
    )
    old = serializers.JSONField(allow_null=True, read_only=True)
    new = serializers.JSONField(allow_null=True, read_only=True)

    class Meta:
        model = ValueChange
        fields = ["id", "indicator", "field", "old", "new", "changed_by", "changed_at", "version"]
        read_only_fields = fields


class SaveValuesSerializer(serializers.Serializer):
    """Values to save, against the version the caller started from."""

    version = serializers.IntegerField(
        min_value=1,
        label=_("version"),
        help_text=_("The submission's version the values were entered against."),
    )
    values = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        allow_empty=False,
        label=_("values"),
        help_text=_('Indicator code → value as typed (e.g. "12", "yes", "n/a"); null clears it.'),
    )
    reviewed = serializers.BooleanField(
        default=False,
        label=_("reviewed"),
        help_text=_(
            "True: the values are the reviewer's assessment of judgement indicators of a "
            "submitted submission."
        ),
    )
    reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        default=dict,
        label=_("reasons"),
        help_text=_(
            "With reviewed: indicator code → why the assessment differs from the self-assessment."
        ),
    )
    overrides = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=2000),
        required=False,
        default=dict,
        label=_("override reasons"),
        help_text=_(
            "Indicator code → why a value counted from records is entered differently from the "
            "count (required for such a value; a value that is blank or equal to the count "
            "follows the count and clears the reason). Codes must be among the values."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        overrides = attrs.get("overrides") or {}
        if overrides and attrs.get("reviewed"):
            raise serializers.ValidationError(
                {"overrides": _("A reviewer's assessment overrides no counted value.")}
            )
        stray = sorted(set(overrides) - set(attrs["values"]))
        if stray:
            raise serializers.ValidationError(
                {
                    "overrides": _("Reasons for indicators whose values are not sent: %(codes)s.")
                    % {"codes": ", ".join(stray)}
                }
            )
        return attrs


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=2000, label=_("reason"), help_text=_("Required, not blank.")
    )


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(
        allow_blank=True, max_length=2000, required=False, default="", label=_("comment")
    )


class EvidenceUploadSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=40, label=_("indicator code"))
    file = serializers.FileField(label=_("file"))


class WorkflowErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(label=_("message"))


class InvalidValuesSerializer(WorkflowErrorSerializer):
    # Only values that cannot be saved carry it; a malformed body answers with `detail` alone.
    errors = serializers.DictField(
        child=serializers.CharField(), label=_("errors by indicator code"), required=False
    )


class IncompleteSerializer(WorkflowErrorSerializer):
    missing = serializers.ListField(child=serializers.CharField(), label=_("what is missing"))


class StaleVersionSerializer(WorkflowErrorSerializer):
    current_version = serializers.IntegerField(label=_("current version"))
    changes = ValueChangeSerializer(many=True, label=_("changes since your version"))


def refusal(error: workflow.WorkflowError) -> Response:
    """The answer for a step the services refused: the message, and what it is about."""
    body: dict[str, Any] = {"detail": str(error)}
    code = status.HTTP_400_BAD_REQUEST
    if isinstance(error, workflow.StaleVersion):
        code = status.HTTP_409_CONFLICT
        body["current_version"] = error.current
        body["changes"] = ValueChangeSerializer(error.changes, many=True).data
    elif isinstance(error, workflow.InvalidValues):
        body["errors"] = error.errors
    elif isinstance(error, workflow.Incomplete):
        body["missing"] = error.missing
    elif isinstance(error, workflow.NotAllowed):
        code = status.HTTP_403_FORBIDDEN
    return Response(body, status=code)


NOT_FOUND = OpenApiResponse(description=_("Not in your scope, or no such submission."))
FORBIDDEN = OpenApiResponse(
    WorkflowErrorSerializer, description=_("You may see the submission but not take this step.")
)
REFUSED = OpenApiResponse(
    WorkflowErrorSerializer,
    description=_("The step is not possible now (state, period, missing reason)."),
)


class PeriodFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PeriodStatus.choices, label=_("status"))
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("kind"))
    framework = IntegerFilter(field_name="framework_id", label=_("framework"))

    class Meta:
        model = Period
        fields = ["status", "kind", "framework"]


@extend_schema_view(
    list=extend_schema(summary=_("Assessment periods")),
    retrieve=extend_schema(summary=_("One assessment period")),
)
@extend_schema(tags=["periods"])
class PeriodViewSet(viewsets.ReadOnlyModelViewSet):
    """Every period of the group, newest first; readable by every signed-in user."""

    queryset = Period.objects.select_related("framework").order_by("-start", "kind", "pk")
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilterSet
    search_fields = ["name", "name_en"]
    ordering_fields = ["start", "deadline"]


def with_parts(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """Prefetch what the detail shows: values, evidence and transitions (three queries)."""
    return queryset.prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.select_related("indicator")),
        Prefetch("evidence", queryset=Evidence.objects.select_related("indicator", "uploaded_by")),
        Prefetch("transitions", queryset=Transition.objects.select_related("by")),
    )


class SubmissionFilterSet(ScopedFilterSet):
    period = IntegerFilter(field_name="period_id", label=_("period"))
    organization = IntegerFilter(
        field_name="organization_id",
        label=_("organization"),
        help_text=_("An organization id: the submissions hanging directly from it."),
    )
    state = django_filters.ChoiceFilter(choices=SubmissionState.choices, label=_("state"))
    subject_kind = django_filters.CharFilter(
        label=_("subject kind"), help_text=_("A subject kind code of the framework.")
    )
    subject_unit = django_filters.ChoiceFilter(choices=SubjectUnit.choices, label=_("unit"))

    class Meta:
        model = Submission
        fields = ["period", "organization", "within", "state", "subject_kind", "subject_unit"]


@extend_schema_view(
    list=extend_schema(summary=_("Submissions in your scope")),
    retrieve=extend_schema(
        summary=_("One submission with its values, evidence and workflow steps"),
        responses={200: SubmissionDetailSerializer, 404: NOT_FOUND},
    ),
)
@extend_schema(tags=["submissions"])
class SubmissionViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Submissions of the caller's scope; values are saved and steps taken through the services."""

    queryset = Submission.objects.select_related("period", "organization__kind")
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilterSet
    search_fields = ["subject_name"]
    ordering_fields = ["subject_name", "submitted_at", "updated_at"]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return SubmissionSerializer
        return SubmissionDetailSerializer

    def get_queryset(self) -> QuerySet[Submission]:
        queryset = super().get_queryset()
        return with_parts(queryset) if self.action == "retrieve" else queryset

    def _detail(self, submission: Submission) -> Response:
        """The submission's detail after a write, read afresh with its parts."""
        fresh = with_parts(super().get_queryset()).get(pk=submission.pk)
        return Response(
            SubmissionDetailSerializer(fresh, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary=_("Save values (optimistic locking by version)"),
        request=SaveValuesSerializer,
        responses={
            200: SubmissionDetailSerializer,
            400: OpenApiResponse(
                InvalidValuesSerializer,
                description=_(
                    "Values that cannot be saved (errors by indicator code, such as a value "
                    "counted from records entered differently without its override reason), a "
                    "malformed body, or a submission that is not editable now."
                ),
            ),
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(
                StaleVersionSerializer,
                description=_(
                    "Someone saved after your version: nothing was written; their changes are "
                    "listed."
                ),
            ),
        },
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        body = SaveValuesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            workflow.save_values(
                submission,
                data["values"],
                version=data["version"],
                acting_user=request.user,
                reviewed=data["reviewed"],
                reasons=data["reasons"],
                overrides=data["overrides"],
            )
        except workflow.WorkflowError as error:
            return refusal(error)
        return self._detail(submission)

    @extend_schema(
        summary=_("Submit for review"),
        request=None,
        responses={
            200: SubmissionDetailSerializer,
            400: OpenApiResponse(
                IncompleteSerializer,
                description=_("Not complete (what is missing is listed), or not editable now."),
            ),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        try:
            workflow.submit(submission, acting_user=request.user)
        except workflow.WorkflowError as error:
            return refusal(error)
        return self._detail(submission)

    def _step(self, request: Request, serializer, step, field: str) -> Response:
        """A workflow step with a reason or comment: validate the body, call the service."""
        submission = self.get_object()
        body = serializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            step(submission, acting_user=request.user, **{field: body.validated_data[field]})
        except workflow.WorkflowError as error:
            return refusal(error)
        return self._detail(submission)

    @extend_schema(
        summary=_("Return to the secretary, with a reason"),
        request=ReasonSerializer,
        responses={200: SubmissionDetailSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return", filter_backends=[])
    def return_(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, ReasonSerializer, workflow.return_submission, "reason")

    @extend_schema(
        summary=_("Approve, with an optional comment"),
        request=CommentSerializer,
        responses={200: SubmissionDetailSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, CommentSerializer, workflow.approve, "comment")

    @extend_schema(
        summary=_("Reopen for editing (administrators), with a reason"),
        request=ReasonSerializer,
        responses={200: SubmissionDetailSerializer, 400: REFUSED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        return self._step(request, ReasonSerializer, workflow.reopen, "reason")

    @extend_schema(
        summary=_("History of the values, newest first"),
        parameters=[
            OpenApiParameter(
                "indicator",
                OpenApiTypes.STR,
                description=_("Only the changes of this indicator code."),
            ),
        ],
        responses={200: ValueChangeSerializer(many=True), 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        changes = (
            ValueChange.objects.filter(submission=submission)
            .select_related("indicator", "changed_by")
            .order_by("-changed_at", "-id")
        )
        if indicator := request.query_params.get("indicator"):
            changes = changes.filter(indicator__code=indicator)
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(ValueChangeSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Upload an evidence file for one indicator"),
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={
            201: EvidenceSerializer,
            400: OpenApiResponse(
                WorkflowErrorSerializer,
                description=_(
                    "The file is refused (type, size, empty), the indicator is not one of the "
                    "submission's, or the submission is not editable now."
                ),
            ),
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        filter_backends=[],
    )
    def evidence(self, request: Request, pk: str | None = None) -> Response:
        submission = self.get_object()
        body = EvidenceUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            stored = evidence_services.add_evidence(
                submission,
                body.validated_data["indicator"],
                body.validated_data["file"],
                acting_user=request.user,
            )
        except workflow.WorkflowError as error:
            return refusal(error)
        stored = Evidence.objects.select_related("indicator", "uploaded_by").get(pk=stored.pk)
        return Response(EvidenceSerializer(stored).data, status=status.HTTP_201_CREATED)
