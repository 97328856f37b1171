"""API of the effectiveness analysis: /api/v1/organizations/<pk>/effectiveness/.

The same reading as the page (`business.selectors.effectiveness`): the organization is found
through the caller's scope (outside it, 404), the units are those of one level below it in the
caller's scope. Every coefficient comes with its 95% interval, n, the verdict and the sentence
the page shows, so a client never recomputes or rewords a figure.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from assessment.choices import PeriodKind
from assessment.models import Period
from assessment.selectors.browse import engine_language
from organizations.models import Organization

from ..selectors import effectiveness as analysis


class EffectivenessView(APIView):
    """Party building against business results below one organization, year by year."""

    queryset = Organization.objects.all()  # the model this route names (scope test)

    @extend_schema(
        operation_id="organizations_effectiveness",
        summary=_lazy("Party building against business results below an organization"),
        description=_lazy(
            "The units of one level below the organization (the kind of organization with the "
            "most units that have figures, or `level`) in the year of `period` (an annual "
            "period; by default the latest closed one with roll-ups): the same year, lagged a "
            "year and change against change, for every active business measure, each with its "
            "95% bootstrap interval, n and verdict; the claims (A grades in a row, term grades, "
            "average growth against the target) of the organization and of each unit."
        ),
        parameters=[
            OpenApiParameter("period", OpenApiTypes.INT, description=_lazy("An annual period id.")),
            OpenApiParameter(
                "level", OpenApiTypes.STR, description=_lazy("An organization kind code.")
            ),
        ],
        responses=OpenApiTypes.OBJECT,
        tags=["business"],
    )
    def get(self, request: Request, pk: int) -> Response:
        organization = get_object_or_404(Organization.objects.restrict(request.user), pk=pk)
        periods = analysis.annual_periods()
        raw = request.query_params.get("period")
        if raw is not None:
            if not raw.isdigit():
                raise Http404
            period = get_object_or_404(
                Period.objects.filter(kind=PeriodKind.YEAR).select_related("framework"),
                pk=int(raw),
            )
        else:
            period = analysis.default_period(organization, periods)
        if period is None:
            return Response({"organization": organization.pk, "year": None})
        data = analysis.effectiveness_of(
            request.user,
            organization,
            period,
            engine_language(),
            level=request.query_params.get("level") or None,
        )
        return Response(analysis.as_data(data))
