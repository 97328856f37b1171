"""API routes of the assessment app."""

urlpatterns: list = []
