"""API of the ledgers: /api/v1/dues-payments/, /api/v1/study-records/, /api/v1/points-entries/.

Rows are read from `Model.objects.restrict(user, "view")`: one outside the caller's scope is a
404. Writes go through the services (`services.dues`, `services.study`, `services.points`), which
say who may do what: a caller who may see a row but not write it gets a 403 with the reason, a
refused input (a closed period, a month already recorded, a cap) a 400. A member named in a new
row is found among the people who belonged within the caller's scope for entering data; anyone
else is answered like no one (400). Awards and deductions are approved or refused with the
`approve` and `refuse` actions, by a reviewer above the organization.
"""

import datetime
from typing import Any

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import (
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

from core.api_schema import ErrorSerializer
from core.filters import MAX_INT64, IntegerFilter
from core.parsers import JSONParser
from organizations.api.filters import ScopedFilterSet
from organizations.api.serializers import OrganizationSummarySerializer, PersonSummarySerializer
from organizations.mixins import ScopedViewSetMixin

from ..choices import PointsKind, PointsState, StudyKind
from ..forms.ledgers import MonthField as MonthFormField
from ..forms.ledgers import read_month
from ..models import DuesPayment, PointsEntry, StudyRecord
from ..services import dues, points, study
from ..services.dates import RecordRefused
from .refusals import refusal


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-03"})
class MonthField(serializers.Field):
    """A month written YYYY-MM; read back the same way."""

    default_error_messages = {"invalid": _lazy("Write the month as YYYY-MM.")}

    def to_internal_value(self, data: Any) -> datetime.date:
        month = read_month(data)
        if month is None:
            self.fail("invalid")
        return month

    def to_representation(self, value: datetime.date) -> str:
        return f"{value:%Y-%m}"


# What a secretary may propose: the manual kinds of points lines.
PROPOSAL_KINDS = [
    (PointsKind.AWARD.value, PointsKind.AWARD.label),
    (PointsKind.DEDUCTION.value, PointsKind.DEDUCTION.label),
]


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, **kwargs)


class DuesPaymentSerializer(serializers.ModelSerializer):
    person = PersonSummarySerializer(read_only=True)
    organization = OrganizationSummarySerializer(read_only=True)
    month = MonthField(read_only=True)
    on_time = serializers.BooleanField(read_only=True, label=_lazy("paid on time"))
    updated_by = serializers.CharField(source="updated_by.username", read_only=True)

    class Meta:
        model = DuesPayment
        fields = [
            "id",
            "person",
            "organization",
            "month",
            "base",
            "rate",
            "due",
            "paid",
            "paid_on",
            "on_time",
            "source",
            "updated_by",
            "updated_at",
        ]
        read_only_fields = fields


class DuesChangeSerializer(serializers.Serializer):
    """A change of a stored month; a field left out keeps its value."""

    base = _money(required=False)
    paid = _money(required=False, allow_null=True)
    paid_on = serializers.DateField(required=False, allow_null=True)
    retired = serializers.BooleanField(
        required=False, default=False, help_text=_lazy("Pay by the retired bands.")
    )


class DuesCreateSerializer(DuesChangeSerializer):
    person = serializers.IntegerField(
        min_value=1, max_value=MAX_INT64, help_text=_lazy("The member's id.")
    )
    month = MonthField()
    base = _money()


class StudyRecordSerializer(serializers.ModelSerializer):
    person = PersonSummarySerializer(read_only=True)
    organization = OrganizationSummarySerializer(read_only=True)

    class Meta:
        model = StudyRecord
        fields = [
            "id",
            "person",
            "organization",
            "date",
            "kind",
            "title",
            "hours",
            "source",
            "created_at",
        ]
        read_only_fields = fields


class StudyChangeSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
    kind = serializers.ChoiceField(choices=StudyKind.choices, required=False)
    title = serializers.CharField(max_length=300, required=False)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, required=False)


class StudyCreateSerializer(StudyChangeSerializer):
    person = serializers.IntegerField(
        min_value=1, max_value=MAX_INT64, help_text=_lazy("The member's id.")
    )
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=StudyKind.choices)
    title = serializers.CharField(max_length=300)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)


class PointsEntrySerializer(serializers.ModelSerializer):
    person = PersonSummarySerializer(read_only=True)
    organization = OrganizationSummarySerializer(read_only=True)
    month = MonthField(read_only=True)
    entered_by = serializers.CharField(
        source="entered_by.username", read_only=True, allow_null=True
    )
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = PointsEntry
        fields = [
            "id",
            "person",
            "organization",
            "month",
            "kind",
            "rule",
            "points",
            "reason",
            "state",
            "entered_by",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


class ProposalChangeSerializer(serializers.Serializer):
    points = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, help_text=_lazy("A positive number.")
    )
    reason = serializers.CharField(max_length=300, required=False)


class ProposalCreateSerializer(ProposalChangeSerializer):
    person = serializers.IntegerField(
        min_value=1, max_value=MAX_INT64, help_text=_lazy("The member's id.")
    )
    month = MonthField()
    kind = serializers.ChoiceField(choices=PROPOSAL_KINDS)
    rule = serializers.CharField(
        max_length=40,
        required=False,
        default="",
        allow_blank=True,
        help_text=_lazy("An award rule's code: its points by default, its monthly cap applies."),
    )
    points = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=300)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class MonthFilter(django_filters.Filter):
    """?month=YYYY-MM; anything else is a 400."""

    field_class = MonthFormField


class _LedgerFilterSet(ScopedFilterSet):
    organization = IntegerFilter(field_name="organization_id", label=_lazy("organization"))
    person = IntegerFilter(field_name="person_id", label=_lazy("member"))


class DuesFilterSet(_LedgerFilterSet):
    month = MonthFilter(field_name="month", label=_lazy("month"), help_text="YYYY-MM")

    class Meta:
        model = DuesPayment
        fields = ["organization", "within", "person", "month"]


class StudyFilterSet(_LedgerFilterSet):
    kind = django_filters.ChoiceFilter(choices=StudyKind.choices)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = StudyRecord
        fields = ["organization", "within", "person", "kind", "date_after", "date_before"]


class PointsFilterSet(_LedgerFilterSet):
    month = MonthFilter(field_name="month", label=_lazy("month"), help_text="YYYY-MM")
    kind = django_filters.ChoiceFilter(choices=PointsKind.choices)
    state = django_filters.ChoiceFilter(choices=PointsState.choices)

    class Meta:
        model = PointsEntry
        fields = ["organization", "within", "person", "month", "kind", "state"]


REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description=_lazy("Refused input.")),
    403: OpenApiResponse(ErrorSerializer, description=_lazy("You may not write this.")),
    404: OpenApiResponse(description=_lazy("Not in your scope, or no such row.")),
}


def no_member() -> Response:
    return Response(
        {"detail": _("No such member in your scope.")}, status=status.HTTP_400_BAD_REQUEST
    )


class _LedgerViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _valid(self, serializer_class, request: Request) -> dict[str, Any]:
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _read(self, obj, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=code)


@extend_schema_view(
    list=extend_schema(summary=_lazy("Party dues in your scope")),
    retrieve=extend_schema(summary=_lazy("One member's dues of a month")),
    create=extend_schema(
        summary=_lazy("Record a member's dues of a month"),
        request=DuesCreateSerializer,
        responses={201: DuesPaymentSerializer, **REFUSALS},
    ),
    partial_update=extend_schema(
        summary=_lazy("Change a stored month (base, paid, paid on)"),
        request=DuesChangeSerializer,
        responses={200: DuesPaymentSerializer, **REFUSALS},
    ),
)
@extend_schema(tags=["records"])
class DuesPaymentViewSet(_LedgerViewSet):
    """Members' monthly dues, the latest month first."""

    queryset = DuesPayment.objects.select_related(
        "person", "organization__kind", "updated_by"
    ).order_by("-month", "person__employee_number", "pk")
    serializer_class = DuesPaymentSerializer
    filterset_class = DuesFilterSet
    ordering_fields = ["month", "updated_at"]

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self._valid(DuesCreateSerializer, request)
        person = dues.scoped_person(request.user, data["person"])
        if person is None:
            return no_member()
        try:
            payment = dues.record_dues(
                person,
                data["month"],
                base=data["base"],
                paid=data.get("paid"),
                paid_on=data.get("paid_on"),
                retired=data["retired"],
                acting_user=request.user,
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._read(payment, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        payment = self.get_object()
        data = self._valid(DuesChangeSerializer, request)
        try:
            dues.change_dues(
                payment,
                base=data.get("base", payment.base),
                paid=data.get("paid", payment.paid),
                paid_on=data.get("paid_on", payment.paid_on),
                retired=data["retired"],
                acting_user=request.user,
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._read(payment)


@extend_schema_view(
    list=extend_schema(summary=_lazy("Study records in your scope")),
    retrieve=extend_schema(summary=_lazy("One study record")),
    create=extend_schema(
        summary=_lazy("Record a member's study"),
        request=StudyCreateSerializer,
        responses={201: StudyRecordSerializer, **REFUSALS},
    ),
    partial_update=extend_schema(
        summary=_lazy("Change a study record"),
        request=StudyChangeSerializer,
        responses={200: StudyRecordSerializer, **REFUSALS},
    ),
)
@extend_schema(tags=["records"])
class StudyRecordViewSet(_LedgerViewSet):
    """Members' study hours, the latest first."""

    queryset = StudyRecord.objects.select_related("person", "organization__kind").order_by(
        "-date", "-pk"
    )
    serializer_class = StudyRecordSerializer
    filterset_class = StudyFilterSet
    ordering_fields = ["date", "created_at"]

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self._valid(StudyCreateSerializer, request)
        person = dues.scoped_person(request.user, data["person"])
        if person is None:
            return no_member()
        try:
            record = study.record_study(
                person,
                data["date"],
                kind=data["kind"],
                title=data["title"],
                hours=data["hours"],
                acting_user=request.user,
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._read(record, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        record = self.get_object()
        data = self._valid(StudyChangeSerializer, request)
        try:
            study.change_study(
                record,
                day=data.get("date", record.date),
                kind=data.get("kind", record.kind),
                title=data.get("title", record.title),
                hours=data.get("hours", record.hours),
                acting_user=request.user,
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._read(record)


@extend_schema_view(
    list=extend_schema(summary=_lazy("Points ledger lines in your scope")),
    retrieve=extend_schema(summary=_lazy("One points line")),
    create=extend_schema(
        summary=_lazy("Propose an award or a deduction (counts once approved from above)"),
        request=ProposalCreateSerializer,
        responses={201: PointsEntrySerializer, **REFUSALS},
    ),
    partial_update=extend_schema(
        summary=_lazy("Change a proposal awaiting approval"),
        request=ProposalChangeSerializer,
        responses={200: PointsEntrySerializer, **REFUSALS},
    ),
)
@extend_schema(tags=["records"])
class PointsEntryViewSet(_LedgerViewSet):
    """Members' points lines: counted by the rules, and awards and deductions with their state."""

    queryset = PointsEntry.objects.select_related(
        "person", "organization__kind", "entered_by", "decided_by"
    ).order_by("-month", "person__employee_number", "pk")
    serializer_class = PointsEntrySerializer
    filterset_class = PointsFilterSet
    ordering_fields = ["month", "created_at"]

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = self._valid(ProposalCreateSerializer, request)
        person = dues.scoped_person(request.user, data["person"])
        if person is None:
            return no_member()
        try:
            entry = points.propose_points(
                person,
                data["month"],
                kind=data["kind"],
                points=data.get("points"),
                reason=data["reason"],
                rule=data["rule"],
                acting_user=request.user,
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._read(entry, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        entry = self.get_object()
        data = self._valid(ProposalChangeSerializer, request)
        try:
            points.change_proposal(
                entry,
                points=data.get("points"),
                reason=data.get("reason"),
                acting_user=request.user,
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._read(entry)

    @extend_schema(
        summary=_lazy("Approve a proposal (a reviewer above the organization)"),
        request=DecisionSerializer,
        responses={200: PointsEntrySerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        return self._decide(request, approve=True)

    @extend_schema(
        summary=_lazy("Refuse a proposal (a reviewer above the organization)"),
        request=DecisionSerializer,
        responses={200: PointsEntrySerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, pk=None) -> Response:
        return self._decide(request, approve=False)

    def _decide(self, request: Request, *, approve: bool) -> Response:
        entry = self.get_object()
        data = self._valid(DecisionSerializer, request)
        try:
            points.decide_points(
                entry, approve=approve, note=data["note"], acting_user=request.user
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._read(entry)
