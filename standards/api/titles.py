"""API routes of this area: (prefix, viewset, basename), registered by api/urls.py."""

ROUTES: list = []
