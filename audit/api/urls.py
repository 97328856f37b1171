"""API routes of the audit app (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("audit", views.AuditEntryViewSet, basename="audit-entry")

urlpatterns = router.urls
