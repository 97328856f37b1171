"""Pages of the rectification app."""

app_name = "rectification"
urlpatterns: list = []
