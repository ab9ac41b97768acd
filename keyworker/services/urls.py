from django.urls import path

from keyworker.services.views import courses, directory, referrals, signposting

app_name = "services"
urlpatterns: list = [
    # directory, referrals out, signposting
    path("services/", directory.service_list, name="service_list"),
    path("services/<uuid:service_id>/", directory.service_detail, name="service_detail"),
    path("services/<uuid:service_id>/edit/", directory.service_edit, name="service_edit"),
    path("services/organisations/new/", directory.organisation_new, name="organisation_new"),
    path("services/organisations/<uuid:organisation_id>/", directory.organisation_detail, name="organisation_detail"),
    path("services/organisations/<uuid:organisation_id>/edit/", directory.organisation_edit, name="organisation_edit"),
    path("services/organisations/<uuid:organisation_id>/services/new/", directory.service_new, name="service_new"),
    path("clients/<uuid:client_id>/referrals/", referrals.client_referrals, name="client_referrals"),
    path("clients/<uuid:client_id>/referrals/new/", referrals.referral_new, name="referral_new"),
    path("referrals-out/<uuid:referral_id>/", referrals.referral_detail, name="referral_detail"),
    path("referrals-out/<uuid:referral_id>/edit/", referrals.referral_edit, name="referral_edit"),
    path("referrals-out/<uuid:referral_id>/send/", referrals.referral_send, name="referral_send"),
    path("referrals-out/<uuid:referral_id>/update/", referrals.referral_update, name="referral_update"),
    path("referrals-out/<uuid:referral_id>/follow-up/", referrals.referral_follow_up, name="referral_follow_up"),
    path("signposting/", signposting.signposting_list, name="signposting_list"),
    path("signposting/new/", signposting.signposting_new, name="signposting_new"),
    path("signposting/<uuid:signposting_id>/", signposting.signposting_detail, name="signposting_detail"),
    # courses
    path("courses/", courses.course_list, name="course_list"),
    path("courses/new/", courses.course_new, name="course_new"),
    path("courses/venues/", courses.venue_list, name="venue_list"),
    path("courses/venues/new/", courses.venue_new, name="venue_new"),
    path("courses/venues/<uuid:venue_id>/edit/", courses.venue_edit, name="venue_edit"),
    path("courses/<uuid:course_id>/", courses.course_detail, name="course_detail"),
    path("courses/<uuid:course_id>/edit/", courses.course_edit, name="course_edit"),
    path("courses/<uuid:course_id>/cohorts/new/", courses.cohort_new, name="cohort_new"),
    path("courses/cohorts/<uuid:cohort_id>/", courses.cohort_detail, name="cohort_detail"),
    path("courses/cohorts/<uuid:cohort_id>/sessions/new/", courses.session_new, name="session_new"),
    path("courses/cohorts/<uuid:cohort_id>/enrol/", courses.cohort_enrol, name="cohort_enrol"),
    path("courses/cohorts/<uuid:cohort_id>/attendance/", courses.attendance_record, name="attendance_record"),
    path("courses/enrolments/<uuid:enrolment_id>/", courses.enrolment_action, name="enrolment_action"),
    path("clients/<uuid:client_id>/courses/", courses.client_courses, name="client_courses"),
]
