"""Serializers of the rectification API."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organizations.api.serializers import OrganizationSummarySerializer

from .. import services
from ..models import Rectification, RectificationEvent, RectificationEvidence


class RectificationNextResultSerializer(serializers.Serializer):
    """The same indicator in the next period of the same kind."""

    outcome = serializers.ChoiceField(
        choices=["improved", "not_improved", "not_scored", "no_next_period"],
        label=_("outcome"),
    )
    period = serializers.IntegerField(allow_null=True, label=_("next period"))
    fraction = serializers.FloatField(allow_null=True, label=_("share of points then"))


class RectificationSerializer(serializers.ModelSerializer):
    """A rectification item as listed."""

    organization = OrganizationSummarySerializer(read_only=True)
    indicator_name = serializers.CharField(read_only=True, label=_("indicator name"))
    owner = serializers.CharField(
        source="owner.username", read_only=True, allow_null=True, label=_("owner")
    )
    is_overdue = serializers.BooleanField(read_only=True, label=_("overdue"))
    next_period = serializers.SerializerMethodField(label=_("next period"))

    class Meta:
        model = Rectification
        fields = [
            "id",
            "organization",
            "period",
            "submission",
            "indicator_code",
            "indicator_name",
            "source",
            "fraction_at_opening",
            "points_at_opening",
            "max_points",
            "threshold",
            "state",
            "owner",
            "due_date",
            "is_overdue",
            "next_period",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(RectificationNextResultSerializer)
    def get_next_period(self, item: Rectification) -> dict[str, Any] | None:
        result = self.context.get("next_results", {}).get(item.pk)
        if result is None:
            return None
        return {
            "outcome": result.outcome,
            "period": result.period.pk if result.period else None,
            "fraction": result.fraction,
        }


class RectificationEventSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True, allow_null=True)

    class Meta:
        model = RectificationEvent
        fields = ["from_state", "to_state", "by", "at", "note"]
        read_only_fields = fields


class RectificationEvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)

    class Meta:
        model = RectificationEvidence
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class RectificationDetailSerializer(RectificationSerializer):
    """An item with its plan, notes, history, evidence and what the caller may do."""

    events = RectificationEventSerializer(many=True, read_only=True)
    evidence = RectificationEvidenceSerializer(many=True, read_only=True)
    closure_requested_by = serializers.CharField(
        source="closure_requested_by.username", read_only=True, allow_null=True
    )
    confirmed_by = serializers.CharField(
        source="confirmed_by.username", read_only=True, allow_null=True
    )
    allowed = serializers.SerializerMethodField(
        label=_("allowed steps"), help_text=_("The steps you may take on this item now.")
    )

    class Meta(RectificationSerializer.Meta):
        fields = [
            *RectificationSerializer.Meta.fields,
            "plan",
            "progress_note",
            "closing_note",
            "rejection_reason",
            "closure_requested_by",
            "closure_requested_at",
            "confirmed_by",
            "confirmed_at",
            "events",
            "evidence",
            "allowed",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed(self, item: Rectification) -> list[str]:
        user = self.context["request"].user
        steps = {
            "update": services.can_update,
            "request_closure": services.can_request_closure,
            "confirm": services.can_decide,
            "reject": services.can_decide,
        }
        return [name for name, check in steps.items() if check(user, item)]


class RectificationVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, label=_("version"), help_text=_("The item's version your change is based on.")
    )


class RectificationUpdateSerializer(RectificationVersionSerializer):
    plan = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    progress_note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    owner = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("A user id who enters data for the unit.")
    )
    due_date = serializers.DateField(required=False, allow_null=True)


class RectificationClosureSerializer(RectificationVersionSerializer):
    closing_note = serializers.CharField(max_length=5000, label=_("closing note"))
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        label=_("evidence files"),
        help_text=_("At least one, unless evidence is attached already."),
    )


class RectificationConfirmSerializer(RectificationVersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RectificationRejectSerializer(RectificationVersionSerializer):
    reason = serializers.CharField(max_length=2000, label=_("reason"))


class RectificationErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(label=_("message"))
    current_version = serializers.IntegerField(required=False)
