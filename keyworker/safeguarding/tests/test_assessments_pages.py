"""DASH, MARAC and NRM pages: who finds them (404 for anyone who cannot see the concern, 403 for those who see
it but may not act), the DASH form's markup (a fieldset and legend for every question), the result and the
pre-filled MARAC referral, NRM updates, the lead's chase list, and the audit trail of a victim's record."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import ConcernFactory, Personas, ThirdPartyFactory, signed_in
from keyworker.safeguarding.models import (
    ConcernAbout,
    ConcernCategory,
    DashAssessment,
    DisclosedBy,
    MaracReferral,
    NrmReferral,
)
from keyworker.safeguarding.rules import DASH_QUESTIONS
from keyworker.safeguarding.services import dash_complete, marac_referral_make, nrm_referral_record

pytestmark = pytest.mark.django_db

DISCLOSURE = "She said he pushed her down the stairs last month and takes her phone."


def _answers(yes: int) -> dict[str, str]:
    return {str(n): ("yes" if n <= yes else "no") for n in range(1, 25)}


def _world(p: Personas):
    """Dan is your client. One concern is about his girlfriend (on her own record), one about Dan himself;
    each has a DASH, a MARAC referral and an NRM referral."""
    dan = p.client_of(p.you, first_name="Dan", last_name="Markerperp")
    her = ThirdPartyFactory(name="Tia Markervictim", description="Dan's girlfriend")
    about_her = ConcernFactory(
        client=dan,
        about=ConcernAbout.THIRD_PARTY,
        third_party=her,
        category=ConcernCategory.DOMESTIC_ABUSE,
        disclosed_by=DisclosedBy.PERSON_AT_RISK,
        what_was_disclosed=DISCLOSURE,
        recorded_by=p.you,
    )
    about_dan = ConcernFactory(client=dan, category=ConcernCategory.MODERN_SLAVERY, recorded_by=p.you)
    made = {}
    for concern in (about_her, about_dan):
        dash = dash_complete(
            actor=p.you,
            concern=concern,
            answers=_answers(15),
            incidents_in_last_12_months=None,
            professional_judgement=False,
            judgement_reasons="",
            completed_on=timezone.localdate(),
        )
        marac = marac_referral_make(
            actor=p.you,
            concern=concern,
            dash=dash,
            marac_area="Lambeth",
            threshold_reasons="Score 15.",
            summary=DISCLOSURE,
            referred_on=timezone.localdate(),
            sharing_reasons="High risk to her safety.",
        )
        nrm = nrm_referral_record(
            actor=p.you,
            concern=concern,
            first_responder="Lambeth Council",
            referred_on=timezone.localdate(),
            is_adult=True,
            consent_given=True,
            duty_to_notify_on=None,
            next_chase_on=timezone.localdate() + dt.timedelta(days=2),
        )
        made[concern.about] = (concern, dash, marac, nrm)
    return dan, made


def _urls(concern, marac, nrm) -> dict[str, str]:
    return {
        "dash": reverse("safeguarding:dash", args=[concern.pk]),
        "marac_new": reverse("safeguarding:marac_new", args=[concern.pk]),
        "marac_detail": reverse("safeguarding:marac_detail", args=[marac.pk]),
        "nrm_new": reverse("safeguarding:nrm_new", args=[concern.pk]),
        "nrm_detail": reverse("safeguarding:nrm_detail", args=[nrm.pk]),
    }


# Expected status of GET and of a POST (bad input: 422 for those who may act) for each page.
ACTOR = {name: (200, 422) for name in ("dash", "marac_new", "marac_detail", "nrm_new", "nrm_detail")}
ACTOR["marac_detail"] = (200, 200)  # a print view: a POST is simply the page again
SEES_ONLY = {
    "dash": (200, 403),
    "marac_new": (403, 403),
    "marac_detail": (200, 200),
    "nrm_new": (403, 403),
    "nrm_detail": (200, 403),
}
NOBODY = dict.fromkeys(ACTOR, (404, 404))


def test_assessment_pages_by_persona(personas: Personas):
    p = personas
    _dan, made = _world(p)
    expected = {
        "third_party": {
            "you": ACTOR,
            "safeguarding_lead": ACTOR,
            "teammate": NOBODY,
            "manager": NOBODY,
            "other_caseworker": NOBODY,
            "other_manager": NOBODY,
            "report_viewer": NOBODY,
            "on_call": NOBODY,
        },
        "client": {
            "you": ACTOR,
            "safeguarding_lead": ACTOR,
            "teammate": SEES_ONLY,
            "manager": SEES_ONLY,
            "other_caseworker": NOBODY,
            "other_manager": NOBODY,
            "report_viewer": NOBODY,
            "on_call": NOBODY,
        },
    }
    before = (DashAssessment.objects.count(), MaracReferral.objects.count(), NrmReferral.objects.count())
    for about, (concern, _dash, marac, nrm) in made.items():
        for persona, pages in expected[about].items():
            http = signed_in(getattr(p, persona))
            for name, url in _urls(concern, marac, nrm).items():
                get_status, post_status = pages[name]
                response = http.get(url)
                where = (about, persona, name)
                assert response.status_code == get_status, where
                if get_status == 404:
                    assert "Markervictim" not in response.content.decode(), where
                assert http.post(url, {"version": "1"}).status_code == post_status, where
                if get_status == 403:
                    assert "safeguarding lead" in response.content.decode(), where
    assert (DashAssessment.objects.count(), MaracReferral.objects.count(), NrmReferral.objects.count()) == before
    concern, _dash, marac, nrm = made["client"]
    for url in _urls(concern, marac, nrm).values():  # anonymous: sent to sign in
        assert HttpClient().get(url).status_code == 302


def test_the_dash_form_has_a_fieldset_and_legend_for_every_question(personas: Personas):
    concern = ConcernFactory(
        client=personas.client_of(personas.you), recorded_by=personas.you, category=ConcernCategory.DOMESTIC_ABUSE
    )
    page = signed_in(personas.you).get(reverse("safeguarding:dash", args=[concern.pk])).content.decode()
    assert page.count("<fieldset") >= 24
    legends = re.findall(r"<legend[^>]*>\s*(.*?)\s*</legend>", page, re.S)
    for number, question in enumerate(DASH_QUESTIONS, start=1):
        text = f"{number}. {question}".replace("'", "&#39;")
        assert any(text in legend for legend in legends), number
        assert f'name="q{number}"' in page
    assert page.count("<h1") == 1
    assert 'for="id_incidents_in_last_12_months"' in page


def test_completing_the_dash_on_the_page_shows_the_result_and_the_way_to_marac(personas: Personas):
    concern = ConcernFactory(
        client=personas.client_of(personas.you), recorded_by=personas.you, category=ConcernCategory.DOMESTIC_ABUSE
    )
    url = reverse("safeguarding:dash", args=[concern.pk])
    http = signed_in(personas.you)
    form = {f"q{n}": ("yes" if n <= 14 else "not_known") for n in range(1, 25)}
    form |= {"incidents_in_last_12_months": "1", "completed_on": timezone.localdate().isoformat()}
    incomplete = {k: v for k, v in form.items() if k not in ("q7", "q20")}
    refused = http.post(url, incomplete)
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "There is a problem" in body and "question 7, 20" in body and 'href="#id_q7"' in body
    assert not DashAssessment.objects.exists()
    response = http.post(url, form, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "14 of 24" in body and "This meets the MARAC threshold" in body
    assert "Visible high risk" in body and "Make a MARAC referral" in body
    assert DashAssessment.objects.get().score == 14


def test_the_marac_form_is_filled_in_and_making_it_leads_to_the_print_view(personas: Personas):
    _dan, made = _world(personas)
    concern, dash, _marac, _nrm = made["third_party"]
    http = signed_in(personas.safeguarding_lead)
    page = http.get(reverse("safeguarding:marac_new", args=[concern.pk])).content.decode()
    assert DISCLOSURE in page  # the disclosure, not typed again
    assert DASH_QUESTIONS[0] in page  # a "yes" from the DASH, in words
    assert "Tia Markervictim" in page and "Dan Markerperp" in page
    assert 'value="Lambeth"' in page  # the team's area
    assert 'value="safeguarding" checked' in page
    response = http.post(
        reverse("safeguarding:marac_new", args=[concern.pk]),
        {
            "dash": str(dash.pk),
            "marac_area": "Southwark",
            "threshold_reasons": "Score 15 of 24.",
            "summary": "Pushed down the stairs.",
            "referred_on": timezone.localdate().isoformat(),
            "lawful_basis": "safeguarding",
            "sharing_reasons": "Risk of serious harm; she agreed.",
        },
    )
    referral = MaracReferral.objects.get(marac_area="Southwark")
    assert response.status_code == 302 and response["Location"] == reverse(
        "safeguarding:marac_detail", args=[referral.pk]
    )
    printed = http.get(response["Location"]).content.decode()
    assert "Southwark" in printed and "Shared with MARAC (Southwark)" in printed
    assert "govuk-!-display-none-print" in printed and '<details class="govuk-details" open' in printed
    assert concern.sharing_decisions.filter(shared_with="MARAC (Southwark)").exists()


def test_a_bad_marac_referral_on_the_page_saves_nothing(personas: Personas):
    _dan, made = _world(personas)
    concern = made["third_party"][0]
    before = (MaracReferral.objects.count(), concern.actions.count(), concern.sharing_decisions.count())
    response = signed_in(personas.you).post(
        reverse("safeguarding:marac_new", args=[concern.pk]),
        {"marac_area": "", "summary": "", "referred_on": timezone.localdate().isoformat(), "lawful_basis": "consent"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Say which MARAC" in body and "Say why it is right to share" in body
    assert (MaracReferral.objects.count(), concern.actions.count(), concern.sharing_decisions.count()) == before


def test_nrm_record_and_update_on_the_page(personas: Personas):
    concern = ConcernFactory(
        client=personas.client_of(personas.you), recorded_by=personas.you, category=ConcernCategory.MODERN_SLAVERY
    )
    http = signed_in(personas.you)
    today = timezone.localdate()
    new_url = reverse("safeguarding:nrm_new", args=[concern.pk])
    refused = http.post(
        new_url,
        {"first_responder": "Police", "referred_on": today.isoformat(), "is_adult": "yes", "consent_given": "no"},
    )
    assert refused.status_code == 422 and "Duty to Notify" in refused.content.decode()
    assert not NrmReferral.objects.exists()
    made = http.post(
        new_url, {"first_responder": "Police", "referred_on": today.isoformat(), "is_adult": "no", "consent_given": ""}
    )
    referral = NrmReferral.objects.get()
    assert made["Location"] == reverse("safeguarding:nrm_detail", args=[referral.pk])
    detail = reverse("safeguarding:nrm_detail", args=[referral.pk])
    update = {
        "version": "1",
        "reasonable_grounds": "pending",
        "conclusive_grounds": "positive",
        "conclusive_grounds_on": today.isoformat(),
    }
    refused = http.post(detail, update)
    assert refused.status_code == 422 and "positive reasonable-grounds" in refused.content.decode()
    ok = update | {"reasonable_grounds": "positive", "reasonable_grounds_on": today.isoformat()}
    assert http.post(detail, ok).status_code == 302
    stale = http.post(detail, ok)  # the version sent is now out of date
    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()
    referral.refresh_from_db()
    assert (referral.conclusive_grounds, referral.version) == ("positive", 2)


def test_the_lead_s_nrm_list(personas: Personas, django_assert_max_num_queries):
    _dan, made = _world(personas)
    for _ in range(4):  # more rows, same number of queries
        nrm_referral_record(
            actor=personas.you,
            concern=made["third_party"][0],
            first_responder="Salvation Army",
            referred_on=timezone.localdate(),
            is_adult=True,
            consent_given=True,
            duty_to_notify_on=None,
            next_chase_on=timezone.localdate() + dt.timedelta(days=30),
        )
    url = reverse("safeguarding:nrm_list")
    http = signed_in(personas.safeguarding_lead)
    with django_assert_max_num_queries(14):
        response = http.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "To chase in the next 7 days" in body and "Waiting, chase later" in body
    assert "Tia Markervictim" in body and "Dan Markerperp" in body
    for persona in ("you", "teammate", "manager", "report_viewer", "on_call", "other_caseworker"):
        assert signed_in(getattr(personas, persona)).get(url).status_code == 404, persona


def test_reading_a_victims_assessments_never_reaches_the_clients_trail(personas: Personas):
    dan, made = _world(personas)
    concern, _dash, marac, nrm = made["third_party"]
    on_dans_trail = AuditEvent.objects.filter(client_id=dan.pk).count()
    for persona in (personas.you, personas.safeguarding_lead):
        http = signed_in(persona)
        for url in _urls(concern, marac, nrm).values():
            http.get(url)
    assert AuditEvent.objects.filter(client_id=dan.pk).count() == on_dans_trail
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, actor=personas.safeguarding_lead)
    assert views.count() >= 5 and all(event.client_id is None for event in views)
    # ...while the same pages about Dan himself are on his trail
    about_dan, _d, marac_dan, nrm_dan = made["client"]
    signed_in(personas.teammate).get(_urls(about_dan, marac_dan, nrm_dan)["nrm_detail"])
    assert AuditEvent.objects.filter(client_id=dan.pk, actor=personas.teammate, action=AuditAction.VIEW).exists()


def test_the_concern_page_summary(personas: Personas):
    _dan, made = _world(personas)
    concern = made["third_party"][0]
    from django.template import engines

    html = (
        engines["jinja2"]
        .from_string('{% include "safeguarding/concerns/_assessments.html" %}')
        .render({"concern": concern, "can_act": True})
    )
    assert "15 of 24" in html and "Meets the MARAC threshold" in html
    assert reverse("safeguarding:marac_detail", args=[made["third_party"][2].pk]) in html
    assert reverse("safeguarding:nrm_detail", args=[made["third_party"][3].pk]) in html
    assert "Make a MARAC referral" in html
    read_only = (
        engines["jinja2"]
        .from_string('{% include "safeguarding/concerns/_assessments.html" %}')
        .render({"concern": concern, "can_act": False})
    )
    assert "Make a MARAC referral" not in read_only and "Record an NRM referral" not in read_only
