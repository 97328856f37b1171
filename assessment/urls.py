"""Pages of the assessment app."""

from django.urls import path

from . import views, views_lists

app_name = "assessment"
urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/compare/", views.framework_compare, name="framework_compare"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework_detail"),
    path(
        "frameworks/<int:pk>/indicators/<int:indicator_pk>/edit/",
        views.indicator_edit,
        name="indicator_edit",
    ),
    path("frameworks/<int:pk>/publish/", views.framework_publish, name="framework_publish"),
    path("frameworks/<int:pk>/clone/", views.framework_clone, name="framework_clone"),
    path("my/", views_lists.my_submissions, name="my_submissions"),
    path("queue/", views_lists.queue, name="queue"),
    path("completeness/", views_lists.completeness, name="completeness"),
    path("notices/", views_lists.notices, name="notices"),
    path("notices/read/", views_lists.notices_mark_read, name="notices_mark_read"),
    path("periods/", views_lists.period_list, name="period_list"),
    path("periods/new/", views_lists.period_create, name="period_create"),
    path("periods/<int:pk>/open/", views_lists.period_open, name="period_open"),
    path("periods/<int:pk>/close/", views_lists.period_close, name="period_close"),
]
