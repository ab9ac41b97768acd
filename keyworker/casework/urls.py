from django.urls import path

from keyworker.casework import views

app_name = "casework"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("clients/<uuid:client_id>/contacts/new/", views.contact_add, name="contact_add"),
]
