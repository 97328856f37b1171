"""Pages of the records app: meetings, talks, dues, study, points, the negative list, calendar."""

from django.urls import path  # noqa: F401  (each area appends its routes below)

app_name = "records"

urlpatterns: list = []
