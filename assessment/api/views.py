"""API endpoints of frameworks: the versions, one version's whole tree, and a trial score.

Frameworks are shared by the whole group, so every signed-in caller may read every version. The
trial score runs the pure engine on the values sent and stores nothing.
"""

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.parsers import JSONParser

from .. import selectors
from ..models import Framework
from ..scoring import explain, score_subject
from ..selectors import browse
from . import serializers


class NotAnObject(exceptions.ParseError):
    """The body of a trial score is not JSON, or not a JSON object."""

    default_detail = _('The body must be a JSON object with "subject_kind" and "values".')


@extend_schema_view(
    list=extend_schema(summary=_("Framework versions")),
    retrieve=extend_schema(
        summary=_("One framework version, its dimension trees and indicators"),
        responses=serializers.FrameworkDetailSerializer,
    ),
)
@extend_schema(tags=["frameworks"])
class FrameworkViewSet(viewsets.ReadOnlyModelViewSet):
    """Every version of every framework, with its status; readable by every signed-in user."""

    queryset = Framework.objects.none()  # the model for filters and the schema; see get_queryset
    serializer_class = serializers.FrameworkSerializer
    filterset_fields = ["code", "status"]
    search_fields = ["code", "version", "name", "name_en"]
    ordering_fields = ["code", "version", "published_at"]

    def get_queryset(self) -> QuerySet[Framework]:
        return browse.frameworks_with_counts()

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        framework = self.get_object()
        return Response(
            serializers.FrameworkDetailSerializer(browse.framework_tree(framework)).data
        )

    @extend_schema(
        summary=_("Score values against this version (a trial: nothing is stored)"),
        request=serializers.TrialScoreRequestSerializer,
        responses={
            200: serializers.TrialScoreSerializer,
            400: OpenApiResponse(
                description=_(
                    "The body is not a JSON object, the subject kind is unknown, values is not "
                    "an object, or it names indicator codes the framework does not have."
                )
            ),
        },
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[JSONParser],
        filter_backends=[],
        pagination_class=None,
    )
    def score(self, request: Request, pk: str | None = None) -> Response:
        framework = self.get_object()
        spec = selectors.engine_framework(framework)
        try:
            data = request.data
        except exceptions.ParseError as error:
            raise NotAnObject(f"{NotAnObject.default_detail} {error.detail}") from error
        if not isinstance(data, dict):
            raise NotAnObject
        body = serializers.TrialScoreRequestSerializer(
            data=data,
            context={
                "framework": framework,
                "indicator_codes": frozenset(i.code for i in spec.indicators),
            },
        )
        body.is_valid(raise_exception=True)
        score = score_subject(
            spec, body.validated_data["subject_kind"], body.validated_data["values"]
        )
        lang = browse.engine_language(get_language())
        return Response({**score.to_dict(), "language": lang, "explanation": explain(score, lang)})
