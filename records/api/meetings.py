"""API of meetings and heart-to-heart talks: /api/v1/meetings/ and /api/v1/talks/.

Rows are read from `Model.objects.restrict(user, "view")`, so one outside the caller's scope is a
404. Writes go through the services, which allow them to whoever enters data for the
organization: anyone else who may see it gets a 403 with the reason. An organization or person
outside the caller's reach is answered like one that does not exist (400); a refused input (a
date whose records are shut, a roll that does not match the members of the day, a file that is
not a photo or PDF) is a 400 with the message in the caller's language; a change based on an
older version of a meeting or a talk is a 409. Other kinds of record have their viewsets in
modules of their own beside this one.
"""

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
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
from organizations.choices import Action
from organizations.mixins import ScopedViewSetMixin
from organizations.models import Organization, Person

from ..models import Attendance, Meeting, Talk
from ..selectors.meetings import meeting_kinds_by_code
from ..services import meetings as meeting_services
from ..services import talks as talk_services
from ..services.dates import RecordRefused
from .refusals import STALE, refusal
from .serializers import (
    AttachmentUploadSerializer,
    MeetingChangeSerializer,
    MeetingSerializer,
    MeetingWriteSerializer,
    RecordErrorSerializer,
    TalkChangeSerializer,
    TalkSerializer,
    TalkWriteSerializer,
)

Error = RecordErrorSerializer
REFUSALS = {
    400: OpenApiResponse(Error, description=_lazy("Bad input, or a date whose records are shut.")),
    403: OpenApiResponse(Error, description=_lazy("You do not enter records for it.")),
    404: OpenApiResponse(description=_lazy("Not in your scope, or no such record.")),
}


def _organization(request: Request, pk: int) -> Organization:
    organization = (
        Organization.objects.restrict(request.user, Action.VIEW)
        .select_related("kind")
        .filter(pk=pk)
        .first()
    )
    if organization is None:
        raise RecordRefused(_("No organization %(id)d in your scope.") % {"id": pk})
    return organization


def _person(pk: int | None) -> Person | None:
    """A person named by id. One who does not exist is answered like one outside the caller's
    reach: an unsaved stand-in fails the service's membership check with the same message (by
    id), so the answer never tells which ids exist."""
    if pk is None:
        return None
    return Person.objects.filter(pk=pk).first() or Person(pk=pk, name=f"#{pk}")


class MeetingFilterSet(ScopedFilterSet):
    organization = IntegerFilter(field_name="organization_id", label=_lazy("organization"))
    kind = django_filters.CharFilter(field_name="kind", label=_lazy("kind"))
    year = IntegerFilter(field_name="date__year", min_value=1, max_value=9999, label=_lazy("year"))
    month = IntegerFilter(field_name="date__month", min_value=1, max_value=12, label=_lazy("month"))
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields = ["organization", "within", "kind", "year", "month", "date_after", "date_before"]


def _rows(pairs) -> list[tuple[int, str, str]]:
    return [(row["person"], row["presence"], row.get("reason", "")) for row in pairs]


@extend_schema_view(
    list=extend_schema(summary=_lazy("Meetings in your scope, newest first")),
    retrieve=extend_schema(summary=_lazy("One meeting with its roll and attachments")),
    create=extend_schema(
        summary=_lazy("Record a meeting with its full roll"),
        request=MeetingWriteSerializer,
        responses={201: MeetingSerializer, **REFUSALS},
    ),
    update=extend_schema(
        summary=_lazy("Change a meeting (the fields given; `version` is required)"),
        request=MeetingChangeSerializer,
        responses={200: MeetingSerializer, **REFUSALS, **STALE},
    ),
    partial_update=extend_schema(
        summary=_lazy("Change a meeting (the fields given; `version` is required)"),
        request=MeetingChangeSerializer,
        responses={200: MeetingSerializer, **REFUSALS, **STALE},
    ),
)
@extend_schema(tags=["records"])
class MeetingViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Meetings of organizational life with their attendance."""

    queryset = (
        Meeting.objects.select_related("organization__kind", "host")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("person").order_by(
                    "person__employee_number"
                ),
            ),
            "attachments",
        )
        .order_by("-date", "-pk")
    )
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet
    ordering_fields = ["date", "created_at", "updated_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "kinds": meeting_kinds_by_code()}

    def _answer(self, meeting: Meeting, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=meeting.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = MeetingWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            meeting = meeting_services.record_meeting(
                _organization(request, data["organization"]),
                kind=data["kind"],
                date=data["date"],
                topic=data["topic"],
                place=data["place"],
                host=_person(data["host"]),
                minutes=data["minutes"],
                party_group=data["party_group"],
                attendance=_rows(data["attendance"]),
                acting_user=request.user,
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._answer(meeting, status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        meeting = self.get_object()
        serializer = MeetingChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version")
        try:
            if "host" in data:
                data["host"] = _person(data["host"])
            if "attendance" in data:
                data["attendance"] = _rows(data["attendance"])
            meeting_services.change_meeting(
                meeting, version=version, **data, acting_user=request.user
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._answer(meeting)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        return self.update(request, *args, **kwargs)

    @extend_schema(
        summary=_lazy("Attach photos or PDF files to a meeting"),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={200: MeetingSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def attachments(self, request: Request, pk=None) -> Response:
        meeting = self.get_object()
        files = request.FILES.getlist("files") if hasattr(request, "FILES") else []
        try:
            meeting_services.add_attachment(meeting, files, acting_user=request.user)
        except RecordRefused as refused:
            return refusal(refused)
        return self._answer(meeting)


class TalkFilterSet(ScopedFilterSet):
    organization = IntegerFilter(field_name="organization_id", label=_lazy("organization"))
    person = IntegerFilter(method="filter_person", label=_lazy("person"))
    year = IntegerFilter(field_name="date__year", min_value=1, max_value=9999, label=_lazy("year"))
    month = IntegerFilter(field_name="date__month", min_value=1, max_value=12, label=_lazy("month"))

    class Meta:
        model = Talk
        fields = ["organization", "within", "person", "year", "month"]

    def filter_person(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        return queryset.filter(talker_id=value) | queryset.filter(partner_id=value)


@extend_schema_view(
    list=extend_schema(summary=_lazy("Heart-to-heart talks in your scope, newest first")),
    retrieve=extend_schema(summary=_lazy("One heart-to-heart talk")),
    create=extend_schema(
        summary=_lazy("Record a heart-to-heart talk"),
        request=TalkWriteSerializer,
        responses={201: TalkSerializer, **REFUSALS},
    ),
    update=extend_schema(
        summary=_lazy("Change a talk (the fields given; `version` is required)"),
        request=TalkChangeSerializer,
        responses={200: TalkSerializer, **REFUSALS, **STALE},
    ),
    partial_update=extend_schema(
        summary=_lazy("Change a talk (the fields given; `version` is required)"),
        request=TalkChangeSerializer,
        responses={200: TalkSerializer, **REFUSALS, **STALE},
    ),
)
@extend_schema(tags=["records"])
class TalkViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Heart-to-heart talks (谈心谈话)."""

    queryset = Talk.objects.select_related("organization__kind", "talker", "partner").order_by(
        "-date", "-pk"
    )
    serializer_class = TalkSerializer
    filterset_class = TalkFilterSet
    ordering_fields = ["date", "created_at"]
    parser_classes = [JSONParser, FormParser]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _answer(self, talk: Talk, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=talk.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = TalkWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            talk = talk_services.record_talk(
                _organization(request, data["organization"]),
                talker=_person(data["talker"]),
                partner=_person(data["partner"]),
                date=data["date"],
                topic=data["topic"],
                note=data["note"],
                acting_user=request.user,
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._answer(talk, status.HTTP_201_CREATED)

    def update(self, request: Request, *args, **kwargs) -> Response:
        talk = self.get_object()
        serializer = TalkChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            talk_services.change_talk(
                talk,
                version=data["version"],
                talker=_person(data["talker"]) if "talker" in data else talk.talker,
                partner=_person(data["partner"]) if "partner" in data else talk.partner,
                date=data.get("date", talk.date),
                topic=data.get("topic", talk.topic),
                note=data.get("note", talk.note),
                acting_user=request.user,
            )
        except RecordRefused as refused:
            return refusal(refused)
        return self._answer(talk)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        return self.update(request, *args, **kwargs)
