"""The data protection officer's pages and the register of sharing agreements, under /data-protection/."""

from __future__ import annotations

from django.urls import path

from keyworker.privacy.agreements import views as agreement_views
from keyworker.privacy.retention import views as retention_views
from keyworker.privacy.sar import views as sar_views
from keyworker.privacy.views_home import home

app_name = "privacy"
urlpatterns: list = [
    path("", home, name="home"),
    path("subject-access/", sar_views.sar_list, name="sar_list"),
    path("subject-access/new/", sar_views.sar_new, name="sar_new"),
    path("subject-access/<uuid:request_id>/", sar_views.sar_detail, name="sar_detail"),
    path("subject-access/<uuid:request_id>/extend/", sar_views.sar_extend, name="sar_extend"),
    path("subject-access/<uuid:request_id>/build/", sar_views.sar_build, name="sar_build"),
    path("subject-access/<uuid:request_id>/send/", sar_views.sar_send, name="sar_send"),
    path("subject-access/<uuid:request_id>/withdraw/", sar_views.sar_withdraw, name="sar_withdraw"),
    path("subject-access/<uuid:request_id>/record.<str:fmt>", sar_views.sar_download, name="sar_download"),
    path("sharing-agreements/", agreement_views.agreement_list, name="agreement_list"),
    path("sharing-agreements/new/", agreement_views.agreement_new, name="agreement_new"),
    path("sharing-agreements/<uuid:agreement_id>/", agreement_views.agreement_detail, name="agreement_detail"),
    path("sharing-agreements/<uuid:agreement_id>/change/", agreement_views.agreement_edit, name="agreement_edit"),
    path("clients/<uuid:client_id>/disclosures/", agreement_views.client_disclosures, name="client_disclosures"),
    path("retention/", retention_views.retention_queue, name="retention_queue"),
    path("retention/<uuid:review_id>/keep/", retention_views.retention_keep, name="retention_keep"),
    path("retention/policies/", retention_views.retention_policies, name="retention_policies"),
    path("retention/policies/<str:kind>/", retention_views.retention_policy_edit, name="retention_policy_edit"),
    path("retention/history/", retention_views.retention_history, name="retention_history"),
]
