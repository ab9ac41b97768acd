from django.urls import path

from keyworker.outcomes.views import funder_reports as funder_reports_views
from keyworker.outcomes.views import jdl as jdl_views
from keyworker.outcomes.views import letters as letters_views
from keyworker.outcomes.views import mentees as views
from keyworker.outcomes.views import mentoring as mentoring_views
from keyworker.outcomes.views import milestones as milestones_views
from keyworker.outcomes.views import readings as readings_views

app_name = "outcomes"
urlpatterns = [
    path("clients/<uuid:client_id>/milestones/", milestones_views.client_milestones, name="client_milestones"),
    path("clients/<uuid:client_id>/milestones/new/", milestones_views.milestone_new, name="milestone_new"),
    path("clients/<uuid:client_id>/spells/new/", milestones_views.spell_new, name="spell_new"),
    path("spells/<uuid:spell_id>/checks/new/", milestones_views.spell_check_new, name="spell_check_new"),
    path(
        "clients/<uuid:client_id>/proven-offences/new/",
        milestones_views.proven_offence_new,
        name="proven_offence_new",
    ),
    path("mentees/", views.my_mentees, name="my_mentees"),
    path("clients/<uuid:client_id>/letters/", letters_views.client_letters, name="client_letters"),
    path("letters/<uuid:letter_id>/", letters_views.letter_edit, name="letter_edit"),
    path("letters/<uuid:letter_id>/pdf/", letters_views.letter_pdf, name="letter_pdf"),
    path("letter-templates/", letters_views.letter_templates, name="letter_templates"),
    path("letter-templates/<uuid:template_id>/", letters_views.letter_template_edit, name="letter_template_edit"),
    path("clients/<uuid:client_id>/mentoring/", mentoring_views.client_mentoring, name="client_mentoring"),
    path("clients/<uuid:client_id>/outcomes/", readings_views.client_outcomes, name="client_outcomes"),
    path("outcomes/distance/", readings_views.cohort_outcomes, name="cohort_outcomes"),
    path("outcomes/scales/", readings_views.scale_list, name="scale_list"),
    path("outcomes/scales/<uuid:scale_id>/", readings_views.scale_edit, name="scale_edit"),
    path("data-protection/justice-data-lab/", jdl_views.justice_data_lab, name="justice_data_lab"),
    path("reports/", funder_reports_views.reports_hub, name="reports"),
    path("reports/funder/", funder_reports_views.funder_reports, name="funder_reports"),
    path("reports/funder/<uuid:run_id>/", funder_reports_views.funder_report, name="funder_report"),
    path("reports/funder/<uuid:run_id>/retry/", funder_reports_views.funder_report_retry, name="funder_report_retry"),
    *(
        path(f"reports/funder/<uuid:run_id>.{fmt}", funder_reports_views.funder_report_download, {"fmt": fmt},
             name=f"funder_report_{fmt}")
        for fmt in ("csv", "xlsx", "pdf")
    ),
]
