from django.urls import path

from keyworker.funding import views

app_name = "funding"
urlpatterns = [
    path("funding/streams/", views.stream_list, name="stream_list"),
    path("funding/streams/<uuid:stream_id>/", views.stream_detail, name="stream_detail"),
    path("funding/capacity/", views.capacity, name="capacity"),
    path("funding/capacity.csv", views.capacity_csv, name="capacity_csv"),
    path("funding/capacity.xlsx", views.capacity_xlsx, name="capacity_xlsx"),
    path("clients/<uuid:client_id>/eligibility/", views.client_eligibility, name="client_eligibility"),
]
