from django.urls import path

from keyworker.diary import views

app_name = "diary"
urlpatterns = [
    path("week/", views.my_week, name="my_week"),
    path("clients/<uuid:client_id>/appointments/new/", views.appointment_new, name="appointment_new"),
]
