from django.urls import path  # noqa: F401 - routes arrive with the custody pages

app_name = "custody"
urlpatterns: list = []
