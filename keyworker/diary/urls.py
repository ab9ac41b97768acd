from django.urls import path

from keyworker.diary.views import appointments

app_name = "diary"
urlpatterns = [
    # appointments, My week, the team week
    path("week/", appointments.my_week, name="my_week"),
    path("clients/<uuid:client_id>/appointments/new/", appointments.appointment_new, name="appointment_new"),
    # lone working
    # calendar feeds
]
