"""API routes of the rectification app (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("rectifications", views.RectificationViewSet, basename="rectification")

urlpatterns = router.urls
