"""Pages of the organizations app."""

from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("search/", views.search, name="search"),
]
