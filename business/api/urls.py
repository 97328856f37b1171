"""API routes of the business app (mounted under /api/v1/)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .effectiveness import EffectivenessView
from .views import FigureViewSet, MeasureViewSet

router = SimpleRouter()
router.register("business-figures", FigureViewSet, basename="business-figure")
router.register("business-measures", MeasureViewSet, basename="business-measure")

urlpatterns = [
    *router.urls,
    path(
        "organizations/<int:pk>/effectiveness/",
        EffectivenessView.as_view(),
        name="organization-effectiveness",
    ),
]
