from django.urls import path

from keyworker.people import views

app_name = "people"
urlpatterns = [
    path("clients/<uuid:client_id>/", views.client_detail, name="client_detail"),
    path("clients/<uuid:client_id>/about/", views.client_about, name="client_about"),
    path("search/", views.search, name="search"),
]
