"""API routes of the organizations app."""

urlpatterns: list = []
