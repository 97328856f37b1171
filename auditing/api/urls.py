"""API routes of the audit trail (mounted under /api/v1/): /api/v1/audit/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("audit", views.AuditEntryViewSet, basename="audit-entry")

urlpatterns = router.urls
