from django.urls import path

from keyworker.safeguarding.views import access as views
from keyworker.safeguarding.views import assessments as assessments_views
from keyworker.safeguarding.views import concerns as concerns_views
from keyworker.safeguarding.views import on_call as on_call_views
from keyworker.safeguarding.views import risk as risk_views
from keyworker.safeguarding.views import scanner as scanner_views

app_name = "safeguarding"
urlpatterns = [
    path("clients/<uuid:client_id>/access/", views.access_rules, name="access_rules"),
    path("access-rules/<uuid:rule_id>/lift/", views.access_rule_lift, name="access_rule_lift"),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("area-concerns/", views.area_concerns, name="area_concerns"),
    path("area-concerns/<uuid:concern_id>/reviewed/", views.area_concern_review, name="area_concern_review"),
    # the safety profile (issue 6)
    path("clients/<uuid:client_id>/safety/", views.client_safety, name="client_safety"),
    path("safety/unsafe-areas/<uuid:area_id>/end/", views.unsafe_area_end, name="unsafe_area_end"),
    path("safety/keep-apart/<uuid:pair_id>/end/", views.keep_apart_end, name="keep_apart_end"),
    # concerns and third-party records (issue 7)
    path("clients/<uuid:client_id>/concerns/new/", concerns_views.concern_new, name="concern_new"),
    path("clients/<uuid:client_id>/concerns/", concerns_views.client_concerns, name="client_concerns"),
    path("concerns/<uuid:concern_id>/", concerns_views.concern_detail, name="concern_detail"),
    path("safeguarding/concerns/", concerns_views.concern_queue, name="concern_queue"),
    # the on-call line (issue 7)
    path("on-call/", on_call_views.on_call, name="on_call"),
    path("on-call/handover/", on_call_views.handover, name="handover"),
    path("on-call/rota/", on_call_views.rota, name="rota"),
    path("clients/<uuid:client_id>/crisis-calls/new/", on_call_views.crisis_call_new, name="crisis_call_new"),
    path("crisis-calls/<uuid:call_id>/", on_call_views.crisis_call_detail, name="crisis_call_detail"),
    # risk reviews and safety plans (issue 7)
    path("clients/<uuid:client_id>/risk/", risk_views.client_risk, name="client_risk"),
    path("clients/<uuid:client_id>/safety-plan/", risk_views.client_safety_plan, name="client_safety_plan"),
    # DASH, MARAC and NRM (issue 7)
    path("concerns/<uuid:concern_id>/dash/", assessments_views.dash, name="dash"),
    path("concerns/<uuid:concern_id>/marac/", assessments_views.marac_new, name="marac_new"),
    path("marac/<uuid:referral_id>/", assessments_views.marac_detail, name="marac_detail"),
    path("concerns/<uuid:concern_id>/nrm/", assessments_views.nrm_new, name="nrm_new"),
    path("nrm/<uuid:referral_id>/", assessments_views.nrm_detail, name="nrm_detail"),
    path("safeguarding/nrm/", assessments_views.nrm_list, name="nrm_list"),
    # the disclosure scanner (issue 7)
    path("notes/scan/", scanner_views.note_scan, name="note_scan"),
    path("safeguarding/scanner/", scanner_views.scanner_phrases, name="scanner_phrases"),
    path(
        "safeguarding/scanner/<uuid:phrase_id>/enabled/",
        scanner_views.scanner_phrase_enabled,
        name="scanner_phrase_enabled",
    ),
]
