"""API routes of the standards app (mounted under /api/v1/): each area's module lists its own."""

from rest_framework.routers import SimpleRouter

from . import appraisals, reports, stars, terms, titles

router = SimpleRouter()
for module in (titles, stars, appraisals, reports, terms):
    for prefix, viewset, basename in module.ROUTES:
        router.register(prefix, viewset, basename=basename)

urlpatterns = router.urls
