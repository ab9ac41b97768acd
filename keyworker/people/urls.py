from django.urls import path

from keyworker.people import views
from keyworker.people import views_import as import_views

app_name = "people"
urlpatterns = [
    path("clients/<uuid:client_id>/", views.client_detail, name="client_detail"),
    path("clients/<uuid:client_id>/about/", views.client_about, name="client_about"),
    path("search/", views.search, name="search"),
    path("clients/import/", import_views.client_import_start, name="client_import_start"),
    path("clients/import/example.csv", import_views.client_import_example, name="client_import_example"),
    path("clients/import/<uuid:import_id>/", import_views.client_import, name="client_import"),
]
