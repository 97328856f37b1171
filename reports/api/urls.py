"""API routes of the reports app (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from .views import ReportViewSet

router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")

urlpatterns = router.urls
