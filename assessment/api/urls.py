"""API routes of the assessment app (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("frameworks", views.FrameworkViewSet, basename="framework")

urlpatterns = router.urls
