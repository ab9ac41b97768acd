from django.urls import path

from keyworker.audit import views

app_name = "audit"
urlpatterns = [
    path("staff/<uuid:user_id>/", views.staff_activity, name="staff_activity"),
    path("clients/<uuid:client_id>/", views.record_trail, name="record_trail"),
]
