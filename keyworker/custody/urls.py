from django.urls import path

from keyworker.custody import views

app_name = "custody"
urlpatterns = [
    path("directory/", views.directory_list, name="directory_list"),
    path("directory/new/", views.directory_new, name="directory_new"),
    path("directory/<uuid:establishment_id>/", views.directory_detail, name="directory_detail"),
    path("directory/<uuid:establishment_id>/edit/", views.directory_edit, name="directory_edit"),
    path("clients/<uuid:client_id>/custody/", views.client_custody, name="client_custody"),
    path("clients/<uuid:client_id>/custody/new/", views.episode_new, name="episode_new"),
    path("clients/<uuid:client_id>/charges/new/", views.charge_new, name="charge_new"),
    path("clients/<uuid:client_id>/hearings/new/", views.hearing_new, name="hearing_new"),
    path("custody/<uuid:episode_id>/edit/", views.episode_edit, name="episode_edit"),
    path("custody/<uuid:episode_id>/transfer/", views.transfer_new, name="transfer_new"),
    path("custody/<uuid:episode_id>/release/", views.release_record, name="release_record"),
    path("custody/<uuid:episode_id>/needs/new/", views.need_add, name="need_add"),
    path("release-needs/<uuid:need_id>/", views.need_update, name="need_update"),
    path("hearings/<uuid:hearing_id>/outcome/", views.hearing_outcome, name="hearing_outcome"),
    path("releases/", views.release_board, name="release_board"),
]
