"""API routes of the organizations app (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("people", views.PersonViewSet, basename="person")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("leading-groups", views.LeadingGroupViewSet, basename="leading-group")

urlpatterns = router.urls
