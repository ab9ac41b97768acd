"""The authorisation matrix: every route x role x record state, checked against docs/access-policy.md.

The expected cells are read from the tables in docs/access-policy.md, so the document and the code
cannot drift apart. Every route in the URLconf and every operation in the API schema must belong to a
class below (or be exempt, with the reason), so a new route cannot be added without being tested.
A denied cell must answer 404 (or, where the client is only a reference in the body, 422 naming no
one) and carry none of the client's data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Case, Contact, Task
from keyworker.core.testing import (
    AppointmentFactory,
    ContactFactory,
    CustodyEpisodeFactory,
    Personas,
    TaskFactory,
    UserFactory,
    make_personas,
)
from keyworker.people.models import Client
from keyworker.safeguarding.models import AccessRule, AccessRuleKind, BreakGlassGrant

pytestmark = pytest.mark.django_db

DOC = Path(settings.PROJECT_DIR) / "docs" / "access-policy.md"
ROLES = (
    "caseworker",
    "manager",
    "on-call worker",
    "peer mentor",
    "safeguarding lead",
    "data protection officer",
    "report viewer",
    "administrator",
)
STATES = (
    "own",
    "team",
    "other-team",
    "restricted-named",
    "restricted-not-named",
    "excluded",
    "break-glass",
)


def _doc_table(marker: str) -> dict[str, dict[str, str]]:
    """{route class: {role: cell}} from the table between <!-- matrix:marker --> comments."""
    text = DOC.read_text()
    body = re.search(rf"<!-- matrix:{marker} -->(.*?)<!-- /matrix:{marker} -->", text, re.S)
    assert body, f"docs/access-policy.md has no {marker} matrix"
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")] for line in body.group(1).strip().splitlines()
    ]
    header, rows = rows[0], rows[2:]
    assert tuple(header[1:]) == ROLES, header
    return {row[0]: dict(zip(ROLES, row[1:], strict=True)) for row in rows}


CLIENT_CELLS = _doc_table("client-records")
PAGE_CELLS = _doc_table("pages")


def allowed_states(route_class: str, role: str) -> set[str]:
    cell = CLIENT_CELLS[route_class][role]
    states = set() if cell == "\u2013" else {s.strip() for s in cell.split(",")}
    assert states <= set(STATES), cell
    return states


# --------------------------------------------------------------------------------------------- the world


@dataclass
class Bundle:
    """One client in one record state, with a case, a contact, a task and a lifted rule to address."""

    client: Client
    case: Case
    contact: Contact
    task: Task
    lifted_rule: AccessRule
    marker: str


@dataclass
class World:
    personas: Personas
    viewers: dict[str, User]
    bundles: dict[str, Bundle]


def _build_world() -> World:
    p = make_personas()
    viewers: dict[str, User] = {
        "caseworker": p.you,
        "manager": p.manager,
        "on-call worker": UserFactory(email="oncall@m.test", role=Role.ON_CALL, team=None),
        "peer mentor": UserFactory(email="mentor@m.test", role=Role.PEER_MENTOR, team=p.team),
        "safeguarding lead": UserFactory(email="sglead@m.test", role=Role.SAFEGUARDING_LEAD, team=None),
        "data protection officer": UserFactory(email="dpo@m.test", role=Role.DATA_PROTECTION_OFFICER, team=None),
        "report viewer": p.report_viewer,
        "administrator": UserFactory(
            email="admin@m.test", role=Role.ADMINISTRATOR, team=None, is_staff=True, is_superuser=True
        ),
    }
    everyone: list[User] = list(viewers.values())
    holders = {
        "own": p.you,
        "team": p.teammate,
        "other-team": p.other_caseworker,
        "restricted-named": p.teammate,
        "restricted-not-named": p.teammate,
        "excluded": p.teammate,
        "break-glass": p.other_caseworker,
    }
    now = timezone.now()
    bundles: dict[str, Bundle] = {}
    for state, holder in holders.items():
        marker = "Matrix" + state.replace("-", "").capitalize()
        client = p.client_of(holder, first_name="Person", last_name=marker)
        case = client.cases.get()
        contact = ContactFactory(client=client, case=case, recorded_by=holder, note=f"Note about {marker}")
        task = TaskFactory(owner=holder, client=client, case=case, title=f"Task for {marker}")
        lifted = AccessRule.objects.create(
            client=client,
            kind=AccessRuleKind.EXCLUSION,
            reason="An old exclusion, lifted.",
            starts_at=now,
            set_by=p.manager,
            lifted_at=now,
            lifted_by=p.manager,
        )
        if state == "restricted-named":
            rule = AccessRule.objects.create(
                client=client, kind=AccessRuleKind.RESTRICTION, reason="Matrix", starts_at=now, set_by=p.manager
            )
            rule.staff.set([*everyone, p.teammate])
        elif state == "restricted-not-named":
            rule = AccessRule.objects.create(
                client=client, kind=AccessRuleKind.RESTRICTION, reason="Matrix", starts_at=now, set_by=p.manager
            )
            rule.staff.set([p.teammate])
        elif state == "excluded":
            rule = AccessRule.objects.create(
                client=client, kind=AccessRuleKind.EXCLUSION, reason="Matrix", starts_at=now, set_by=p.manager
            )
            rule.staff.set(everyone)
        elif state == "break-glass":
            for viewer in everyone:
                BreakGlassGrant.objects.create(
                    user=viewer,
                    client=client,
                    reason="Matrix crisis call",
                    granted_at=now,
                    expires_at=now + dt.timedelta(hours=4),
                )
        # in custody, out in ten days: so the release board would list the client to whoever may see them
        CustodyEpisodeFactory(client=client, release_on=timezone.localdate() + dt.timedelta(days=10))
        for viewer in everyone:  # so each viewer's My week would list the client if they may see them
            AppointmentFactory(staff=viewer, client=client, starts_at=now, ends_at=now + dt.timedelta(minutes=30))
        bundles[state] = Bundle(client=client, case=case, contact=contact, task=task, lifted_rule=lifted, marker=marker)
    return World(personas=p, viewers=viewers, bundles=bundles)


# ------------------------------------------------------------------------------------------ the routes


@dataclass(frozen=True)
class Route:
    name: str  # URL name, or "METHOD /api/v1/path" for API operations
    route_class: str
    method: str = "GET"
    body: dict[str, Any] | None = None
    json: bool = False


CLIENT_PAGE_ROUTES = [
    Route("people:client_detail", "client-record"),
    Route("people:client_about", "client-record"),  # names, gender, ethnicity (issue 8)
    Route("people:client_about", "client-record", "POST", {"version": "999", "first_name": ""}),
    Route("casework:contact_add", "client-record"),
    Route("casework:contact_add", "client-record", "POST", {"kind": "phone", "note": ""}),
    Route("casework:contact_amend", "client-record"),
    Route("casework:contact_amend", "client-record", "POST", {"text": "", "reason": ""}),
    Route("casework:task_add", "client-record"),
    Route("casework:task_add", "client-record", "POST", {"title": ""}),
    Route("diary:appointment_new", "client-record"),
    Route("casework:task_complete", "client-record", "POST", {"version": "999"}),
    Route("casework:case_status", "client-record"),
    Route("casework:case_status", "client-record", "POST", {"status": "on_hold", "version": "999"}),
    Route("safeguarding:access_rules", "client-restrictions"),
    Route("safeguarding:access_rules", "client-restrictions", "POST", {"kind": "exclusion", "reason": ""}),
    Route("safeguarding:access_rule_lift", "client-restrictions", "POST", {}),
    Route("audit:record_trail", "client-audit-trail"),
    Route("funding:client_eligibility", "client-record"),
    Route("funding:client_eligibility", "client-record", "POST", {"action": "unfunded", "reason": ""}),
    Route("intake:client_consent", "client-record"),
    Route("intake:client_consent", "client-record", "POST", {"action": "record", "basis": "consent"}),
    # custody and court (issue 5)
    Route("custody:client_custody", "client-record"),
    Route("custody:episode_new", "client-record"),
    Route("custody:episode_new", "client-record", "POST", {"establishment": "", "received_on": ""}),
    Route("custody:charge_new", "client-record"),
    Route("custody:charge_new", "client-record", "POST", {"offence": "", "source": ""}),
    Route("custody:hearing_new", "client-record"),
    Route("custody:hearing_new", "client-record", "POST", {"court": "", "on": ""}),
    # referrals out to services (issue 6)
    Route("services:client_referrals", "client-record"),
    Route("services:referral_new", "client-record"),
    Route("services:referral_new", "client-record", "POST", {"service": "", "reason": "", "action": "send"}),
    # courses (issue 6)
    Route("services:client_courses", "client-record"),
    Route("services:client_courses", "client-record", "POST", {"cohort": "", "safety_override_reason": ""}),
    # the safety profile: unsafe areas and people to keep apart (issue 6)
    Route("safeguarding:client_safety", "client-record"),
    Route("safeguarding:client_safety", "client-record", "POST", {"action": "area", "area-kind": "borough"}),
    # the on-call line: a crisis call is logged by whoever records on the client (issue 7)
    Route("safeguarding:crisis_call_new", "client-record"),
    Route("safeguarding:crisis_call_new", "client-record", "POST", {"caller": ""}),
    # safeguarding concerns (issue 7): recording one, and the client's own concerns (about them only)
    Route("safeguarding:concern_new", "client-record"),
    Route("safeguarding:concern_new", "client-record", "POST", {"about": "client", "what_was_disclosed": ""}),
    Route("safeguarding:client_concerns", "client-record"),
    # risk reviews and the safety plan (issue 7)
    Route("safeguarding:client_risk", "client-record"),
    Route("safeguarding:client_risk", "client-record", "POST", {"risk_to_self": "", "reasons": ""}),
    Route("safeguarding:client_safety_plan", "client-record"),
    Route("safeguarding:client_safety_plan", "client-record", "POST", {"emergency_plan": ""}),
    # outcome readings and distance travelled (issue 8)
    Route("outcomes:client_outcomes", "client-record"),
    Route("outcomes:client_outcomes", "client-record", "POST", {"taken_on": ""}),
    # milestones, jobs and homes, proven offences (issue 8)
    Route("outcomes:client_milestones", "client-record"),
    Route("outcomes:milestone_new", "client-record"),
    Route("outcomes:milestone_new", "client-record", "POST", {"kind": "work_13", "evidence": ""}),
    Route("outcomes:spell_new", "client-record"),
    Route("outcomes:spell_new", "client-record", "POST", {"kind": "work", "description": ""}),
    Route("outcomes:proven_offence_new", "client-record"),
    Route("outcomes:proven_offence_new", "client-record", "POST", {"description": ""}),
    # peer mentors: a client's path to mentoring and their mentoring relationships (issue 8)
    Route("outcomes:client_mentoring", "client-record"),
    Route("outcomes:client_mentoring", "client-record", "POST", {"action": "session", "session-held_on": ""}),
    # letters (issue 8): a template id that names nothing, so an allowed caller gets 422 and nothing is written
    Route("outcomes:client_letters", "client-record"),
    Route("outcomes:client_letters", "client-record", "POST", {"template": "00000000-0000-0000-0000-000000000000"}),
    # a client's disclosure log (issue 10)
    Route("privacy:client_disclosures", "client-record"),
]
LISTING_PAGES = {
    "casework:caseload": {"status": ""},
    "people:search": {"q": "{marker}"},
    "diary:my_week": {},
    "custody:release_board": {},
    "diary:team_week": {},
}
PAGE_ROUTES = {
    "diary:my_week": "my-week",
    "casework:caseload": "casework-pages",
    "people:search": "casework-pages",
    "safeguarding:break_glass": "break-glass",
    "outcomes:my_mentees": "mentees",
    "accounts:token_list": "own-tokens",
    "accounts:token_new": "own-tokens",
    "core:notifications": "own-notifications",
    "funding:stream_list": "funding-streams",
    "funding:capacity": "funding-capacity",
    "funding:capacity_csv": "funding-capacity",
    "funding:capacity_xlsx": "funding-capacity",
    "safeguarding:area_concerns": "area-concerns",
    "intake:referral_list": "referrals",
    "intake:referral_new": "referrals",
    "custody:directory_list": "directory",
    "custody:directory_new": "directory",
    "custody:release_board": "release-board",
    "diary:lone_working": "lone-working",
    "diary:lone_working_alerts": "lone-working",
    "diary:team_week": "team-week",
    "diary:prison_visits_new": "casework-pages",
    "diary:calendar_feed": "calendar-feed",
    "services:service_list": "services-directory",
    "services:organisation_new": "casework-pages",
    "services:signposting_list": "signposting",
    "services:signposting_new": "casework-pages",
    "services:course_list": "courses",
    "services:course_new": "courses",
    "services:venue_list": "courses",
    "services:venue_new": "courses",
    "safeguarding:on_call": "on-call",
    "safeguarding:rota": "on-call",
    "safeguarding:handover": "casework-pages",
    "safeguarding:concern_queue": "concerns",
    "safeguarding:nrm_list": "nrm-chases",
    "safeguarding:scanner_phrases": "scanner-lists",
    "outcomes:letter_templates": "letter-templates",
    "outcomes:scale_list": "outcome-scales",
    "outcomes:cohort_outcomes": "cohort-outcomes",
    "outcomes:justice_data_lab": "justice-data-lab",
    "outcomes:reports": "funder-reports",
    "outcomes:funder_reports": "funder-reports",
    "privacy:home": "subject-access",
    "privacy:sar_list": "subject-access",
    "privacy:sar_new": "subject-access",
    "people:client_import_start": "client-import",
    "people:client_import_example": "client-import",
    "privacy:retention_queue": "retention",
    "privacy:retention_policies": "retention",
    "privacy:retention_history": "retention",
}
# Routes with their own, narrower rule, tested explicitly below (the reason is the rule).
SPECIAL_ROUTES = {
    **{
        f"privacy:{name}": "the register of sharing agreements holds no personal data: casework roles and the DPO "
        "read it, the DPO and managers add and change it, anyone else 404; an agreement's page lists only referrals "
        "and disclosures about clients in reach (privacy/tests/test_sharing_agreements.py: "
        "test_register_pages_by_persona, test_agreement_page_shows_only_what_is_in_reach)"
        for name in ("agreement_list", "agreement_new", "agreement_detail", "agreement_edit")
    },
    "people:client_import": "a spreadsheet import of the manager's own team: its team's managers only, anyone else "
    "404 (people/tests/test_client_import.py: test_import_pages_by_persona)",
    **{
        f"outcomes:{name}": "addressed by a letter, in reach exactly when its client is: the client-record row "
        "for every role and state "
        "(outcomes/tests/test_letters_matrix.py: test_letter_routes_follow_the_client_record_matrix)"
        for name in ("letter_edit", "letter_pdf")
    },
    "outcomes:letter_template_edit": "a letter template holds no personal data: managers only, anyone else 404 "
    "(outcomes/tests/test_letters.py: test_template_pages_are_for_managers)",
    "safeguarding:note_scan": "disclosure prompts (POST, the client in the body): casework roles for a client they "
    "record on, anyone else 404 (safeguarding/tests/test_scanner_pages.py: test_note_scan_by_persona)",
    "safeguarding:scanner_phrase_enabled": "the scanner's lists, no personal data: the safeguarding lead only, anyone "
    "else 404 (safeguarding/tests/test_scanner_pages.py: test_only_the_lead_switches_entries)",
    "outcomes:scale_edit": "a scale holds no personal data: managers only, anyone else 404 "
    "(outcomes/tests/test_readings_pages.py: test_scale_pages_by_persona)",
    **{
        f"outcomes:{name}": "a funder report run holds aggregates only (no personal data): managers and report "
        "viewers, anyone else 404 (outcomes/tests/test_funder_report_pages.py: test_run_pages_by_persona)"
        for name in (
            "funder_report",
            "funder_report_retry",
            "funder_report_csv",
            "funder_report_xlsx",
            "funder_report_pdf",
        )
    },
    **{
        f"privacy:{name}": "a subject access request: the data protection officer only, anyone else 404 "
        "(privacy/tests/test_sar_requests.py: test_request_pages_by_persona)"
        for name in ("sar_detail", "sar_extend", "sar_build", "sar_send", "sar_withdraw", "sar_download")
    },
    **{
        f"privacy:{name}": "retention (a review to keep, a kind's policy): the data protection officer only, "
        "anyone else 404 (privacy/tests/test_retention_pages.py: test_retention_pages_by_persona)"
        for name in ("retention_keep", "retention_policy_edit")
    },
    "accounts:token_revoke": "only the token's owner; anyone else gets 404 (test_token_revoke_is_owner_only)",
    "audit:staff_activity": "a manager for their team's staff, the DPO for anyone (test_staff_activity_page)",
    "funding:stream_detail": "no client data: casework roles read, managers edit its rules, others 404 "
    "(funding/tests/test_pages.py: test_stream_pages_by_role)",
    "safeguarding:area_concern_review": "a manager or the safeguarding lead (safeguarding/tests/test_area_concerns.py)",
    "intake:referral_detail": "the receiving team's casework staff, others 404 (intake/tests/test_referral_pages.py)",
    "intake:referral_contact": "the receiving team's casework staff, others 404 (intake/tests/test_referral_pages.py)",
    "intake:referral_status": "the receiving team's casework staff, others 404 (intake/tests/test_referral_pages.py)",
    "intake:referral_accept": "the receiving team's casework staff, others 404 (intake/tests/test_referral_pages.py)",
    "diary:calendar_feed_ics": "secret address, no sign-in; tested in test_calendar_feed.py "
    "(diary/tests/test_calendar_feed.py: test_the_address_is_the_only_key, test_stopping_the_feed_is_immediate)",
    "custody:directory_detail": "no client data: casework roles read and edit, others 404 "
    "(custody/tests/test_views.py: test_directory_pages_by_role)",
    "custody:directory_edit": "no client data: casework roles read and edit, others 404 "
    "(custody/tests/test_views.py: test_directory_pages_by_role)",
    **{
        f"custody:{name}": "addressed by a custody episode, release need or hearing, in reach exactly when its "
        "client is: the client-record row for every role and state "
        "(custody/tests/test_views.py: test_custody_record_routes_follow_the_client_record_matrix)"
        for name in ("episode_edit", "transfer_new", "release_record", "need_add", "need_update", "hearing_outcome")
    },
    **{
        f"diary:{name}": "a lone-working visit: its worker, buddy and the managers of the worker's team, others 404 "
        "(diary/tests/test_lone_working_pages.py: test_visit_page_by_persona, "
        "test_only_the_worker_can_check_out_and_others_find_nothing, test_stand_down_from_the_alerts_page)"
        for name in (
            "lone_working_detail",
            "lone_working_check_out",
            "lone_working_extend",
            "lone_working_help",
            "lone_working_resolve",
        )
    },
    **{
        f"diary:{name}": "addressed by an appointment, in reach exactly when its client is (or, with no client, "
        "its owner's alone): the client-record row for every role and state (diary/tests/test_appointment_pages.py: "
        "test_appointment_routes_follow_the_client_record_matrix, "
        "test_your_own_appointment_with_no_client_is_yours_alone)"
        for name in ("appointment_detail", "appointment_status", "appointment_reschedule")
    },
    **{
        f"services:{name}": "the services directory holds no personal data: casework roles read and edit it, the "
        "safeguarding lead reads it, others 404 (services/tests/test_directory_pages.py: test_directory_pages_by_role)"
        for name in ("service_detail", "service_edit", "service_new", "organisation_detail", "organisation_edit")
    },
    **{
        f"services:{name}": "addressed by a referral out, in reach exactly when its client is: the client-record row "
        "for every role and state (services/tests/test_referrals_pages.py: "
        "test_referral_routes_follow_the_client_record_matrix)"
        for name in ("referral_detail", "referral_edit", "referral_send", "referral_update", "referral_follow_up")
    },
    **{
        f"safeguarding:{name}": "ends an unsafe area (in reach exactly when its client is) or a keep-apart pair "
        "(only for staff who can see both people); anyone else 404 (safeguarding/tests/test_safety_profile.py: "
        "test_adding_an_area_on_the_page, test_a_pair_is_listed_only_to_staff_who_can_see_both_people)"
        for name in ("unsafe_area_end", "keep_apart_end")
    },
    "safeguarding:concern_detail": "a concern about the client follows the client record; one about someone else "
    "only the safeguarding lead and its recorder; anyone else 404 (safeguarding/tests/test_concerns_pages.py: "
    "test_concern_page_by_persona)",
    "safeguarding:crisis_call_detail": "a crisis call: in reach when its client is, and always to the worker who "
    "took it (safeguarding/tests/test_on_call_pages.py: test_crisis_call_page_by_persona)",
    **{
        f"safeguarding:{name}": "DASH, MARAC and NRM: in reach exactly when their concern is (anyone else 404); "
        "changing them only the safeguarding lead and the concern's recorder, others who see it 403 "
        "(safeguarding/tests/test_assessments_pages.py: test_assessment_pages_by_persona)"
        for name in ("dash", "marac_new", "marac_detail", "nrm_new", "nrm_detail")
    },
    "outcomes:spell_check_new": "addressed by a job or home, in reach exactly when its client is: the client-record "
    "row for every role and state (outcomes/tests/test_milestones_pages.py: test_spell_check_page_follows_the_client)",
    "services:signposting_detail": "only the worker who gave it and the safeguarding lead; anyone else 404 "
    "(services/tests/test_signposting.py: test_signposting_detail_by_persona)",
    **{
        f"services:{name}": "courses, cohorts and venues hold no personal data: casework roles, others 404; a cohort "
        "names only clients in the viewer's reach, an enrolment is in reach exactly when its client is "
        "(services/tests/test_course_pages.py: test_course_pages_by_persona, "
        "test_cohort_page_names_only_clients_the_viewer_can_see, test_enrolment_actions_follow_the_client)"
        for name in (
            "course_detail",
            "course_edit",
            "cohort_new",
            "venue_edit",
            "cohort_detail",
            "session_new",
            "cohort_enrol",
            "attendance_record",
            "enrolment_action",
        )
    },
}
EXEMPT_PREFIXES = {
    "admin:": "Django admin: is_staff administrators only, behind the allauth sign-in; no client model is registered",
}
EXEMPT_ROUTES = {
    None: "the root redirect to My week",
    "healthz": "liveness and database status, no personal data",
    "api:openapi-json": "the API's schema: no data",
    "api:openapi-view": "the API's docs page: no data",
    "api:api-root": "the API's root: no data",
}
# allauth's own pages (sign-in, sign-out, MFA, sessions, password reset) are the sign-in flow itself.
ALLAUTH_MODULE = re.compile(r"^allauth\.")


def _page_url(route: Route, bundle: Bundle | None) -> str:
    if bundle is None:
        return reverse(route.name)
    kwargs = {
        "people:client_detail": {"client_id": bundle.client.pk},
        "people:client_about": {"client_id": bundle.client.pk},
        "casework:contact_add": {"client_id": bundle.client.pk},
        "casework:contact_amend": {"contact_id": bundle.contact.pk},
        "casework:task_add": {"client_id": bundle.client.pk},
        "diary:appointment_new": {"client_id": bundle.client.pk},
        "casework:task_complete": {"task_id": bundle.task.pk},
        "casework:case_status": {"case_id": bundle.case.pk},
        "safeguarding:access_rules": {"client_id": bundle.client.pk},
        "safeguarding:access_rule_lift": {"rule_id": bundle.lifted_rule.pk},
        "audit:record_trail": {"client_id": bundle.client.pk},
        "funding:client_eligibility": {"client_id": bundle.client.pk},
        "intake:client_consent": {"client_id": bundle.client.pk},
        "custody:client_custody": {"client_id": bundle.client.pk},
        "custody:episode_new": {"client_id": bundle.client.pk},
        "custody:charge_new": {"client_id": bundle.client.pk},
        "custody:hearing_new": {"client_id": bundle.client.pk},
        "services:client_courses": {"client_id": bundle.client.pk},
        "services:client_referrals": {"client_id": bundle.client.pk},
        "services:referral_new": {"client_id": bundle.client.pk},
        "safeguarding:client_safety": {"client_id": bundle.client.pk},
        "safeguarding:crisis_call_new": {"client_id": bundle.client.pk},
        "safeguarding:concern_new": {"client_id": bundle.client.pk},
        "safeguarding:client_concerns": {"client_id": bundle.client.pk},
        "safeguarding:client_risk": {"client_id": bundle.client.pk},
        "safeguarding:client_safety_plan": {"client_id": bundle.client.pk},
        "outcomes:client_letters": {"client_id": bundle.client.pk},
        "outcomes:client_outcomes": {"client_id": bundle.client.pk},
        "outcomes:client_milestones": {"client_id": bundle.client.pk},
        "outcomes:milestone_new": {"client_id": bundle.client.pk},
        "outcomes:spell_new": {"client_id": bundle.client.pk},
        "outcomes:proven_offence_new": {"client_id": bundle.client.pk},
        "outcomes:client_mentoring": {"client_id": bundle.client.pk},
        "privacy:client_disclosures": {"client_id": bundle.client.pk},
    }[route.name]
    return reverse(route.name, kwargs=kwargs)


def _all_url_patterns() -> list[tuple[str | None, str]]:
    """(namespaced name, view module) of every route in the URLconf."""
    found: list[tuple[str | None, str]] = []

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}{pattern.name}" if pattern.name else None
                found.append((name, getattr(pattern.callback, "__module__", "") or ""))

    walk(get_resolver(), "")
    return found


def test_every_route_is_in_the_matrix():
    classified = {r.name for r in CLIENT_PAGE_ROUTES} | set(PAGE_ROUTES) | set(SPECIAL_ROUTES)
    unclassified = []
    for name, module in _all_url_patterns():
        if name in classified or name in EXEMPT_ROUTES or ALLAUTH_MODULE.match(module):
            continue
        if name and any(name.startswith(prefix) for prefix in EXEMPT_PREFIXES):
            continue
        if name and name.startswith("api:"):
            continue  # API operations are walked from the OpenAPI schema
        unclassified.append((name, module))
    assert not unclassified, f"routes missing from the authorisation matrix: {unclassified}"
    assert set(PAGE_ROUTES.values()) == set(PAGE_CELLS), "every page class in the doc is exercised"


def _views_of(viewer: User, bundle: Bundle) -> int:
    return AuditEvent.objects.filter(actor=viewer, client_id=bundle.client.pk, action=AuditAction.VIEW).count()


def _assert_cell(response: Any, allowed: bool, marker: str, where: str) -> None:
    body = response.content.decode(errors="replace")
    if allowed:
        assert response.status_code not in (401, 404) and response.status_code < 500, (where, response.status_code)
    else:
        assert response.status_code in (404, 422), (where, response.status_code)
        if response.status_code == 422:
            assert where.startswith("POST /api/v1/tasks"), (where, "only a body reference may answer 422")
        assert marker not in body, (where, "denied response holds the client's data")


@pytest.mark.parametrize("route", CLIENT_PAGE_ROUTES, ids=lambda r: f"{r.method} {r.name}")
def test_client_pages(route: Route):
    world = _build_world()
    http = HttpClient()
    cells = 0
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        allowed = allowed_states(route.route_class, role)
        for state, bundle in world.bundles.items():
            url = _page_url(route, bundle)
            views_before = _views_of(viewer, bundle)
            response = http.post(url, route.body or {}) if route.method == "POST" else http.get(url)
            _assert_cell(response, state in allowed, bundle.marker, f"{route.method} {route.name} {role} {state}")
            if route.method == "GET" and state in allowed:  # a page that shows personal data leaves a trail
                assert _views_of(viewer, bundle) > views_before, (route.name, role, state, "not audited")
            cells += 1
    http.logout()
    for bundle in world.bundles.values():  # anonymous: sent to sign in, nothing shown
        url = _page_url(route, bundle)
        response = http.post(url, route.body or {}) if route.method == "POST" else http.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert cells == len(ROLES) * len(STATES)


@pytest.mark.parametrize("name", sorted(LISTING_PAGES))
def test_listing_pages_show_only_reachable_clients(name: str):
    world = _build_world()
    http = HttpClient()
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        allowed = allowed_states("client-listing", role)
        page_allowed = PAGE_CELLS[PAGE_ROUTES[name]][role] == "yes"
        for state, bundle in world.bundles.items():
            params = {k: v.format(marker=bundle.marker) for k, v in LISTING_PAGES[name].items()}
            views_before = _views_of(viewer, bundle)
            response = http.get(reverse(name), params)
            if not page_allowed:
                assert response.status_code == 404, (name, role)
                continue
            assert response.status_code == 200, (name, role)
            # The client's id (in their page's link), not their name: search echoes the name typed.
            shown = str(bundle.client.pk) in response.content.decode()
            assert shown == (state in allowed), (name, role, state, shown)
            assert (_views_of(viewer, bundle) > views_before) == shown, (name, role, state, "audit trail")


@pytest.mark.parametrize("name", sorted(PAGE_ROUTES))
def test_pages_without_a_client(name: str):
    world = _build_world()
    http = HttpClient()
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        expected = PAGE_CELLS[PAGE_ROUTES[name]][role]
        response = http.get(reverse(name))
        assert (response.status_code == 200) == (expected == "yes"), (name, role, response.status_code)
        if expected != "yes":
            assert response.status_code == 404, (name, role)
    http.logout()
    response = http.get(reverse(name))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


# ------------------------------------------------------------------------------------------------- API


def _api_operations() -> list[tuple[str, str]]:
    http = HttpClient()
    spec = json.loads(http.get("/api/v1/openapi.json").content)
    return sorted((method.upper(), path) for path, ops in spec["paths"].items() for method in ops)


API_BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/v1/clients/{client_id}/contacts"): {"kind": "phone", "note": "Matrix check"},
    ("POST", "/api/v1/contacts/{contact_id}/amendments"): {"text": "Matrix", "reason": "Matrix check"},
    ("POST", "/api/v1/tasks"): {"title": "Matrix", "due_on": "{today}", "client_id": "{client_id}"},
    ("POST", "/api/v1/tasks/{task_id}/complete"): {"version": 999},
    ("POST", "/api/v1/cases/{case_id}/status"): {"status": "on_hold", "version": 999},
    # custody and court: a directory id that names nothing, so an allowed caller gets 422 and nothing is written
    ("POST", "/api/v1/clients/{client_id}/custody-episodes"): {
        "establishment_id": "00000000-0000-0000-0000-000000000000",
        "received_on": "{today}",
    },
    # a service id that names nothing: an allowed caller gets 422 and nothing is written
    ("POST", "/api/v1/clients/{client_id}/outbound-referrals"): {
        "service_id": "00000000-0000-0000-0000-000000000000",
        "reason": "Matrix check",
    },
    # a concern with nothing disclosed: an allowed caller gets 422 and nothing is written
    ("POST", "/api/v1/clients/{client_id}/concerns"): {
        "about": "client",
        "category": "self_harm",
        "disclosed_by": "client",
        "disclosed_on": "{today}",
        "what_was_disclosed": "",
    },
    # a risk review with no reasons, a safety plan with no emergency plan: an allowed caller gets 422
    ("POST", "/api/v1/clients/{client_id}/risk-reviews"): {
        "occasion": "scheduled",
        "risk_to_self": "low",
        "risk_to_others": "low",
        "risk_from_others": "high",
        "reasons": "",
        "next_review_on": "{today}",
    },
    ("PUT", "/api/v1/clients/{client_id}/safety-plan"): {"version": None, "emergency_plan": ""},
    ("POST", "/api/v1/clients/{client_id}/hearings"): {
        "court_id": "00000000-0000-0000-0000-000000000000",
        "starts_at": "2030-01-07T10:00:00Z",
        "kind": "plea",
    },
}
# the disclosure scanner: allowed exactly when the caller records on the client named in the body
API_BODIES[("POST", "/api/v1/notes/scan")] = {"note": "Matrix check: he hit her.", "client_id": "{client_id}"}
API_BODIES[("POST", "/api/v1/clients/{client_id}/crisis-calls")] = {  # valid JSON, refused by the service: 422
    "caller": "",
    "what_happened": "",
    "advice_given": "",
    "shared": False,
    "sharing_reasons": "",
    "follow_up": "",
}
# milestones, jobs and homes, proven offences (issue 8): valid JSON refused by the service, so an allowed caller
# gets 422 and nothing is written (a computed milestone by hand; no description)
API_BODIES[("POST", "/api/v1/clients/{client_id}/milestones")] = {
    "kind": "work_13",
    "achieved_on": "{today}",
    "evidence_kind": "computed",
    "evidence": "Matrix check",
}
API_BODIES[("POST", "/api/v1/clients/{client_id}/spells")] = {
    "kind": "work",
    "description": "",
    "started_on": "{today}",
}
API_BODIES[("POST", "/api/v1/clients/{client_id}/proven-offences")] = {
    "offence_on": "{today}",
    "proven_on": "{today}",
    "description": "",
    "source": "",
}
# a reading with no values at all: an allowed caller gets 422 and nothing is written
API_BODIES[("POST", "/api/v1/clients/{client_id}/outcome-readings")] = {"scores": {}}
# peer mentors: a future interest date, a supervision with no pathway, a mentor who is none: 422, nothing written
API_BODIES[("PUT", "/api/v1/clients/{client_id}/mentoring/pathway")] = {"version": None, "interest_on": "2999-01-01"}
API_BODIES[("POST", "/api/v1/clients/{client_id}/mentoring/pathway/supervisions")] = {"held_on": "{today}"}
API_BODIES[("POST", "/api/v1/clients/{client_id}/mentoring/relationships")] = {
    "mentor_id": "00000000-0000-0000-0000-000000000000"
}
# letters (issue 8): a template id that names nothing, so an allowed caller gets 422 and nothing is written
# a client's details (issue 8): a stale version, so an allowed caller gets 409 and nothing is written
API_BODIES[("PATCH", "/api/v1/clients/{client_id}")] = {"version": 2_147_483_647, "ethnicity": "white_irish"}
API_BODIES[("POST", "/api/v1/clients/{client_id}/letters")] = {"template_id": "00000000-0000-0000-0000-000000000000"}
API_LISTS = {
    ("GET", "/api/v1/clients"): {},
    ("GET", "/api/v1/cases"): {"status": "all"},
    ("GET", "/api/v1/tasks"): {},
    ("GET", "/api/v1/appointments"): {"page_size": 100},
    # search (issue 9): every matrix client is called Person, every matrix note begins "Note about"
    ("GET", "/api/v1/search/clients"): {"q": "Person", "page_size": 100},
    ("GET", "/api/v1/search/notes"): {"q": "Note about", "page_size": 100},
}
API_SPECIAL: dict[tuple[str, str], str] = {
    **{
        ("GET", path): "the register of sharing agreements holds no personal data: casework roles and the DPO, "
        "anyone else 404 (privacy/tests/test_sharing_agreements.py: test_api_by_persona)"
        for path in ("/api/v1/sharing-agreements", "/api/v1/sharing-agreements/{agreement_id}")
    },
    **{
        (method, path): "addressed by a letter, in reach exactly when its client is: the client-record row for every "
        "role and state (outcomes/tests/test_letters_matrix.py: test_letter_api_follows_the_client_record_matrix)"
        for method, path in (
            ("PUT", "/api/v1/letters/{letter_id}"),
            ("POST", "/api/v1/letters/{letter_id}/finalise"),
            ("GET", "/api/v1/letters/{letter_id}/pdf"),
        )
    },
    **{
        (method, path): "DASH, MARAC and NRM: in reach exactly when their concern is (anyone else 404); changes only "
        "by the safeguarding lead and the concern's recorder (others who see it 403) "
        "(safeguarding/tests/test_assessments_api.py: test_assessment_api_by_persona)"
        for method, path in (
            ("POST", "/api/v1/concerns/{concern_id}/dash"),
            ("GET", "/api/v1/dash/{dash_id}"),
            ("GET", "/api/v1/concerns/{concern_id}/marac-draft"),
            ("POST", "/api/v1/concerns/{concern_id}/marac-referrals"),
            ("GET", "/api/v1/marac-referrals/{referral_id}"),
            ("POST", "/api/v1/concerns/{concern_id}/nrm-referrals"),
            ("GET", "/api/v1/nrm-referrals/{referral_id}"),
            ("POST", "/api/v1/nrm-referrals/{referral_id}"),
        )
    },
    ("GET", "/api/v1/outcome-scales"): "no client data: casework roles, others 404 "
    "(outcomes/tests/test_readings_api.py: test_scales_api_by_persona)",
    **{
        (method, path): "funder reports hold aggregates only (no personal data): managers and report viewers, "
        "anyone else 404 (outcomes/tests/test_funder_report_api.py: test_api_by_persona)"
        for method, path in (
            ("GET", "/api/v1/funder-reports"),
            ("POST", "/api/v1/funder-reports"),
            ("GET", "/api/v1/funder-reports/{run_id}"),
        )
    },
    ("GET", "/api/v1/nrm-referrals"): "NRM referrals whose concern is in reach (the safeguarding lead's: all) "
    "(safeguarding/tests/test_assessments_api.py: test_nrm_list_api_by_persona)",
    ("GET", "/api/v1/on-call/rota"): "staff names only: casework roles and the safeguarding lead, others 404 "
    "(safeguarding/tests/test_on_call_api.py: test_rota_api_by_persona)",
    ("GET", "/api/v1/crisis-calls/{call_id}"): "in reach when its client is, and always to the worker who took it "
    "(safeguarding/tests/test_on_call_api.py: test_crisis_call_api_by_persona)",
    ("GET", "/api/v1/on-call/handover"): "calls about clients in reach (and those the caller took); casework roles "
    "only (safeguarding/tests/test_on_call_api.py: test_handover_api_by_persona)",
    ("GET", "/api/v1/referrals"): "receiving team only (api/tests/test_referrals_api.py)",
    ("POST", "/api/v1/referrals"): "receiving team only (api/tests/test_referrals_api.py)",
    ("GET", "/api/v1/referrals/{referral_id}"): "receiving team only (api/tests/test_referrals_api.py)",
    ("POST", "/api/v1/referrals/{referral_id}/status"): "receiving team only (api/tests/test_referrals_api.py)",
    ("GET", "/api/v1/funding/streams"): "no client data: casework roles, others 404 (api/tests/test_funding_api.py)",
    ("GET", "/api/v1/funding/streams/{stream_id}"): "no client data: casework roles (api/tests/test_funding_api.py)",
    ("GET", "/api/v1/funding/capacity"): "aggregates of a manager's team only (api/tests/test_funding_api.py)",
    **{
        (method, path): "a stream's targets, no client data: managers set and remove them, anyone else 404 "
        "(api/tests/test_targets_api.py: test_anyone_but_a_manager_gets_404)"
        for method, path in (
            ("POST", "/api/v1/funding/streams/{stream_id}/targets"),
            ("DELETE", "/api/v1/funding/streams/{stream_id}/targets/{measure}"),
        )
    },
    ("GET", "/api/v1/establishments"): "no client data: casework roles, others 404 "
    "(custody/tests/test_api.py: test_establishments_for_casework_roles)",
    ("GET", "/api/v1/releases"): "upcoming releases of clients in reach; the matrix's clients have none "
    "(custody/tests/test_api.py: test_releases_list_only_clients_in_reach)",
    ("GET", "/api/v1/custody-episodes/{episode_id}"): "in reach exactly when its client is "
    "(custody/tests/test_api.py: test_custody_record_operations_follow_the_matrix)",
    ("POST", "/api/v1/release-needs/{need_id}"): "in reach exactly when its client is "
    "(custody/tests/test_api.py: test_custody_record_operations_follow_the_matrix)",
    ("POST", "/api/v1/hearings/{hearing_id}/outcome"): "in reach exactly when its client is "
    "(custody/tests/test_api.py: test_custody_record_operations_follow_the_matrix)",
    ("POST", "/api/v1/lone-working/visits"): "checking in: casework roles, with a buddy from their team "
    "(diary/tests/test_lone_working_api.py)",
    ("GET", "/api/v1/lone-working/visits/current"): "the caller's own visit only "
    "(diary/tests/test_lone_working_api.py)",
    **{
        ("POST", f"/api/v1/lone-working/visits/{{visit_id}}/{action}"): "the worker's own visit; the buddy and "
        "managers get 403, anyone else 404 (diary/tests/test_lone_working_api.py: test_someone_elses_visit)"
        for action in ("check-out", "extend", "help")
    },
    **{
        (method, f"/api/v1/appointments{path}"): "addressed by an appointment (or naming clients in the body), in "
        "reach exactly when its client is; a client out of reach in a booking is 422 naming no one "
        "(diary/tests/test_appointment_api.py: test_appointment_operations_follow_the_client_record_matrix)"
        for method, path in (
            ("POST", ""),
            ("POST", "/group"),
            ("GET", "/{appointment_id}"),
            ("POST", "/{appointment_id}/status"),
            ("POST", "/{appointment_id}/reschedule"),
        )
    },
    ("GET", "/api/v1/services"): "no client data: the directory's readers, others 404 "
    "(services/tests/test_referrals_out_api.py: test_directory_api_by_persona)",
    ("GET", "/api/v1/services/{service_id}"): "no client data: the directory's readers, others 404 "
    "(services/tests/test_referrals_out_api.py: test_directory_api_by_persona)",
    **{
        (method, path): "addressed by a referral out, in reach exactly when its client is "
        "(services/tests/test_referrals_out_api.py: test_referral_operations_follow_the_client_record_matrix)"
        for method, path in (
            ("GET", "/api/v1/outbound-referrals/{referral_id}"),
            ("POST", "/api/v1/outbound-referrals/{referral_id}/send"),
            ("POST", "/api/v1/outbound-referrals/{referral_id}/status"),
        )
    },
    ("GET", "/api/v1/signposting"): "the caller's own records, the safeguarding lead's everyone's; no client "
    "(services/tests/test_referrals_out_api.py: test_signposting_api_by_persona)",
    ("POST", "/api/v1/signposting"): "casework roles record their own; no client field exists "
    "(services/tests/test_referrals_out_api.py: test_signposting_api_by_persona)",
    **{
        (method, path): "a concern about the client follows the client record; one about someone else only the "
        "safeguarding lead and its recorder; the list is the lead's queue or the caller's own "
        "(safeguarding/tests/test_concerns_api.py: test_concern_api_by_persona)"
        for method, path in (
            ("GET", "/api/v1/concerns"),
            ("GET", "/api/v1/concerns/{concern_id}"),
            ("POST", "/api/v1/concerns/{concern_id}/actions"),
            ("POST", "/api/v1/concerns/{concern_id}/sharing-decisions"),
            ("POST", "/api/v1/concerns/{concern_id}/status"),
        )
    },
    **{
        ("POST", path): "addressed by a job or home, in reach exactly when its client is "
        "(outcomes/tests/test_milestones_api.py: test_spell_operations_follow_the_client)"
        for path in ("/api/v1/spells/{spell_id}/checks", "/api/v1/spells/{spell_id}/end")
    },
    **{
        ("POST", path): "addressed by a mentoring relationship: casework staff who can see the mentee; the mentor "
        "records sessions while it is current (ending it is for casework staff); anyone else 404 "
        "(outcomes/tests/test_mentoring_api.py: test_relationship_operations_by_persona)"
        for path in ("/api/v1/mentoring/{mentoring_id}/sessions", "/api/v1/mentoring/{mentoring_id}/end")
    },
    ("GET", "/api/v1/mentoring/mine"): "a peer mentor's own current mentees, a mentor's fields only; anyone else "
    "404 (outcomes/tests/test_mentoring_api.py: test_mine_by_persona)",
    ("GET", "/api/v1/courses"): "no client data: casework roles, others an empty list "
    "(services/tests/test_course_api.py: test_course_api_by_persona)",
    **{
        (method, path): "a cohort names only the enrolments of clients in reach; an enrolment is in reach exactly "
        "when its client is; a client out of reach in the body is 422 naming no one "
        "(services/tests/test_course_api.py: test_course_api_by_persona, test_cohort_api_names_only_visible_clients)"
        for method, path in (
            ("GET", "/api/v1/cohorts/{cohort_id}"),
            ("POST", "/api/v1/cohorts/{cohort_id}/enrolments"),
            ("POST", "/api/v1/enrolments/{enrolment_id}/attendance"),
            ("POST", "/api/v1/enrolments/{enrolment_id}/complete"),
        )
    },
}


def _fill(template: Any, bundle: Bundle) -> Any:
    values = {
        "client_id": str(bundle.client.pk),
        "case_id": str(bundle.case.pk),
        "contact_id": str(bundle.contact.pk),
        "task_id": str(bundle.task.pk),
        "today": timezone.localdate().isoformat(),
    }
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {k: _fill(v, bundle) for k, v in template.items()}
    return template


def test_every_api_operation_is_in_the_matrix(db):
    for method, path in _api_operations():
        known = (method, path) in API_LISTS or (method, path) in API_SPECIAL or "{" in path
        known = known or (method, path) in API_BODIES
        assert known, f"API operation missing from the authorisation matrix: {method} {path}"


def test_api_operations():
    world = _build_world()
    http = HttpClient()
    operations = _api_operations()
    cells = 0
    for method, path in operations:
        if (method, path) in API_SPECIAL:
            continue
        for role, viewer in world.viewers.items():
            http.force_login(viewer)
            allowed = allowed_states("client-listing" if (method, path) in API_LISTS else "client-record", role)
            for state, bundle in world.bundles.items():
                where = f"{method} {path} {role} {state}"
                url = _fill(path, bundle)
                views_before = _views_of(viewer, bundle)
                if method == "GET":
                    response = http.get(url, API_LISTS.get((method, path), {}))
                else:
                    body = _fill(API_BODIES[(method, path)], bundle)
                    response = http.generic(method, url, json.dumps(body), content_type="application/json")
                cells += 1
                if (method, path) in API_LISTS:
                    assert response.status_code == 200, where
                    assert (str(bundle.client.pk) in response.content.decode()) == (state in allowed), where
                else:
                    _assert_cell(response, state in allowed, bundle.marker, where)
                if method == "GET" and state in allowed:
                    assert _views_of(viewer, bundle) > views_before, (where, "not audited")
        http.logout()
        bundle = world.bundles["own"]
        url = _fill(path, bundle)
        if method == "GET":
            response = http.get(url)
        else:
            response = http.generic(method, url, "{}", content_type="application/json")
        assert response.status_code == 401, f"{method} {path} anonymous"
    assert cells == len(operations) * len(ROLES) * len(STATES) - len(API_SPECIAL) * len(ROLES) * len(STATES)


# ------------------------------------------------------------------------------------- special routes


def test_token_revoke_is_owner_only():
    from keyworker.accounts.services import token_create

    world = _build_world()
    http = HttpClient()
    owner = world.viewers["caseworker"]
    token, _ = token_create(actor=owner, name="Matrix token", can_read=True, can_write=False, expires_in_days=30)
    url = reverse("accounts:token_revoke", args=[token.pk])
    for role, viewer in world.viewers.items():
        if viewer == owner:
            continue
        http.force_login(viewer)
        assert http.post(url).status_code == 404, role
    http.force_login(owner)
    assert http.post(url).status_code in (200, 302)


def test_staff_activity_page():
    world = _build_world()
    http = HttpClient()
    p = world.personas
    teammate_url = reverse("audit:staff_activity", args=[p.teammate.pk])
    other_team_url = reverse("audit:staff_activity", args=[p.other_caseworker.pk])
    expected = {  # role: (may see a Team North colleague, may see a Team South caseworker)
        "caseworker": (False, False),
        "manager": (True, False),
        "on-call worker": (False, False),
        "peer mentor": (False, False),
        "safeguarding lead": (False, False),
        "data protection officer": (True, True),
        "report viewer": (False, False),
        "administrator": (False, False),
    }
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        for url, may in zip((teammate_url, other_team_url), expected[role], strict=True):
            assert (http.get(url).status_code == 200) == may, (role, url)
