"""API routes of the rectification app (mounted under /api/v1/)."""

urlpatterns: list = []
