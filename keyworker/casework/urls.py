from django.urls import path

from keyworker.casework import views

app_name = "casework"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("clients/<uuid:client_id>/contacts/new/", views.contact_add, name="contact_add"),
    path("contacts/<uuid:contact_id>/correct/", views.contact_amend, name="contact_amend"),
    path("clients/<uuid:client_id>/tasks/new/", views.task_add, name="task_add"),
    path("tasks/<uuid:task_id>/done/", views.task_complete, name="task_complete"),
    path("cases/<uuid:case_id>/status/", views.case_status, name="case_status"),
]
