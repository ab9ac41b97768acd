from django.urls import path

from keyworker.intake import views

app_name = "intake"
urlpatterns = [
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/<uuid:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<uuid:referral_id>/contact/", views.referral_contact, name="referral_contact"),
    path("referrals/<uuid:referral_id>/status/", views.referral_status, name="referral_status"),
    path("referrals/<uuid:referral_id>/accept/", views.referral_accept, name="referral_accept"),
    path("clients/<uuid:client_id>/consent/", views.client_consent, name="client_consent"),
]
