from django.urls import path

from keyworker.safeguarding.views import access as views
from keyworker.safeguarding.views import concerns as concerns_views

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
]
