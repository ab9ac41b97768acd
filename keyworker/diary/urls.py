from django.urls import path

from keyworker.diary.views import appointments, calendar_feeds, lone_working

app_name = "diary"
urlpatterns = [
    # appointments, My week, the team week
    path("week/", appointments.my_week, name="my_week"),
    path("clients/<uuid:client_id>/appointments/new/", appointments.appointment_new, name="appointment_new"),
    path("week/team/", appointments.team_week, name="team_week"),
    path("appointments/prison-visits/new/", appointments.prison_visits_new, name="prison_visits_new"),
    path("appointments/<uuid:appointment_id>/", appointments.appointment_detail, name="appointment_detail"),
    path(
        "appointments/<uuid:appointment_id>/status/", appointments.appointment_status, name="appointment_status"
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule/",
        appointments.appointment_reschedule,
        name="appointment_reschedule",
    ),
    # lone working
    path("lone-working/", lone_working.lone_working, name="lone_working"),
    path("lone-working/alerts/", lone_working.lone_working_alerts, name="lone_working_alerts"),
    path("lone-working/visits/<uuid:visit_id>/", lone_working.lone_working_detail, name="lone_working_detail"),
    path(
        "lone-working/visits/<uuid:visit_id>/check-out/",
        lone_working.lone_working_check_out,
        name="lone_working_check_out",
    ),
    path("lone-working/visits/<uuid:visit_id>/extend/", lone_working.lone_working_extend, name="lone_working_extend"),
    path("lone-working/visits/<uuid:visit_id>/help/", lone_working.lone_working_help, name="lone_working_help"),
    path(
        "lone-working/visits/<uuid:visit_id>/resolve/", lone_working.lone_working_resolve, name="lone_working_resolve"
    ),
    # calendar feeds
    path("calendar/", calendar_feeds.calendar_feed_page, name="calendar_feed"),
    path("calendar/feed/<str:secret>.ics", calendar_feeds.calendar_feed_ics, name="calendar_feed_ics"),
]
