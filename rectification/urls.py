"""Pages of the rectification app."""

from django.urls import path

from . import views

app_name = "rectification"
urlpatterns = [
    path("", views.ListView.as_view(), name="list"),
    path("rectifications/<int:pk>/", views.DetailView.as_view(), name="detail"),
    path("rectifications/<int:pk>/update/", views.UpdateView.as_view(), name="update"),
    path(
        "rectifications/<int:pk>/request-closure/",
        views.RequestClosureView.as_view(),
        name="request_closure",
    ),
    path("rectifications/<int:pk>/confirm/", views.ConfirmView.as_view(), name="confirm"),
    path("rectifications/<int:pk>/reject/", views.RejectView.as_view(), name="reject"),
    path("evidence/<int:pk>/", views.EvidenceDownloadView.as_view(), name="evidence"),
]
