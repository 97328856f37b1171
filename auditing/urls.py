"""Pages of the audit trail, under /audit/.

The namespace stays `audit` (not the app's label, `auditing`): templates, the navbar and links
reverse `audit:…`, and the pages are the audit trail's whatever app serves them.
"""

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("entries/<int:pk>/", views.entry_detail, name="detail"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("verify/", views.verify, name="verify"),
]
