"""API routes of the records app (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

router = SimpleRouter()
# Each area registers its viewsets here.

urlpatterns = router.urls
