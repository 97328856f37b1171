"""The audit trail in the REST API (read-only): /api/v1/audit/ and the chain's last verification.

Entries come from the scoped manager with the `audit` action: an auditor reads the entries of
the subtrees they audit (group-wide ones only from the root), anyone else an empty list; an
entry outside the scope is a 404. Filters are the page's (auditing.filters).
"""

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from audit.models import AuditEntry, VerifyRun
from audit.services import latest_verification
from organizations.choices import Action
from organizations.mixins import ScopedReadOnlyViewSet

from ..filters import AuditEntryFilterSet
from ..selectors import may_audit, trail


class AuditEntrySerializer(serializers.ModelSerializer):
    """One audit entry as recorded, with the hashes that chain it."""

    kind_display = serializers.CharField(source="kind_label", read_only=True, label=_("kind"))
    actor = serializers.IntegerField(
        source="actor_id", read_only=True, allow_null=True, label=_("user id")
    )
    organization = serializers.IntegerField(
        source="organization_id", read_only=True, allow_null=True, label=_("organization id")
    )
    period = serializers.IntegerField(
        source="period_id", read_only=True, allow_null=True, label=_("period id")
    )

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "kind",
            "kind_display",
            "actor",
            "actor_name",
            "ip",
            "organization",
            "period",
            "target",
            "summary",
            "before",
            "after",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields


class VerifyRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = VerifyRun
        fields = ["checked_at", "intact", "entries", "last_id", "last_hash", "broken_id", "message"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=_("Audit entries in your scope, newest first")),
    retrieve=extend_schema(summary=_("One audit entry")),
)
@extend_schema(tags=["audit"])
class AuditEntryViewSet(ScopedReadOnlyViewSet):
    """The audit trail as the caller may read it: entries of the subtrees they audit."""

    queryset = trail().order_by("-id")
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilterSet
    scope_action = Action.AUDIT
    filter_backends = [DjangoFilterBackend, OrderingFilter]  # `q` searches, with the page's rules
    ordering_fields = ["id", "at"]

    @extend_schema(
        summary=_("The last verification of the chain"),
        responses={
            200: VerifyRunSerializer,
            404: OpenApiResponse(description=_("Not verified yet, or you audit nothing.")),
        },
    )
    @action(detail=False, pagination_class=None, filterset_class=None)
    def verification(self, request: Request) -> Response:
        run = latest_verification() if may_audit(request.user) else None
        if run is None:
            return Response({"detail": _("Not verified yet.")}, status=404)
        return Response(VerifyRunSerializer(run).data)
