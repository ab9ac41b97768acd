"""The concern pages by persona: recording one from a client's casework, the concern's own page, the lead's
queue, a client's concerns; and Wednesday's rule, that the girlfriend's disclosure never shows in his file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import ConcernFactory, ContactFactory, signed_in
from keyworker.people.models import ThirdParty
from keyworker.safeguarding.models import Concern, ConcernAbout, ConcernAction, SharingDecision

pytestmark = pytest.mark.django_db

DISCLOSURE = "She said he hit her last week and she is scared of him."
HIS_DISCLOSURE = "Said he has been cutting himself again since his brother was stabbed."


@pytest.fixture
def world(personas):
    p = personas
    client = p.client_of(p.you, first_name="Dev", last_name="Marsh")
    hers = ConcernFactory(
        client=client,
        about=ConcernAbout.THIRD_PARTY,
        category="domestic_abuse",
        disclosed_by="person_at_risk",
        what_was_disclosed=DISCLOSURE,
        recorded_by=p.you,
        third_party__description="the client's girlfriend",
    )
    his = ConcernFactory(client=client, recorded_by=p.teammate, what_was_disclosed=HIS_DISCLOSURE)
    return client, hers, his


FORM = {
    "about": "third_party",
    "third_party_description": "the client's girlfriend",
    "third_party_safe_contact_note": "Only when he is out.",
    "category": "domestic_abuse",
    "disclosed_by": "person_at_risk",
    "what_was_disclosed": DISCLOSURE,
    "first_action_kind": "advice_only",
    "first_action_note": "Gave her the National Domestic Abuse Helpline number.",
    "sharing": "not_shared",
    "sharing_reasons": "She did not consent and there is no immediate risk to life today.",
}


def test_recording_a_concern_about_someone_else(personas):
    p = personas
    client = p.client_of(p.you)
    http = signed_in(p.you)
    url = reverse("safeguarding:concern_new", args=[client.pk])
    page = http.get(url, {"category": "domestic_abuse"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Who is at risk?" in html
    assert '<option value="domestic_abuse" selected' in html
    response = http.post(url, {**FORM, "disclosed_on": timezone.localdate().isoformat()})
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "safeguarding:concern_detail", args=[concern.pk]
    )
    assert concern.about == "third_party" and concern.third_party.description == "the client's girlfriend"
    assert concern.third_party.safe_contact_note == "Only when he is out."
    assert concern.actions.get().kind == "advice_only"
    assert not concern.sharing_decisions.get().shared
    detail = http.get(response["Location"]).content.decode()
    assert "separate record of its own" in detail and DISCLOSURE in detail


def test_about_a_child_marks_the_record_as_a_child(personas):
    p = personas
    client = p.client_of(p.you)
    form = {
        **FORM,
        "about": "child",
        "third_party_description": "his partner's son, about 8",
        "category": "child_at_risk",
        "disclosed_on": timezone.localdate().isoformat(),
    }
    assert signed_in(p.you).post(reverse("safeguarding:concern_new", args=[client.pk]), form).status_code == 302
    record = ThirdParty.objects.get()
    assert record.is_child and record.description == "his partner's son, about 8"


def test_about_the_client_makes_no_third_party_record_even_if_its_fields_were_filled(personas):
    p = personas
    client = p.client_of(p.you)
    form = {**FORM, "about": "client", "disclosed_on": timezone.localdate().isoformat()}
    assert signed_in(p.you).post(reverse("safeguarding:concern_new", args=[client.pk]), form).status_code == 302
    assert Concern.objects.get().third_party is None and not ThirdParty.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"third_party_description": ""}, "Describe who they are"),
        ({"disclosed_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat()}, "cannot be in the future"),
        ({"disclosed_on": "31/02/2026"}, "Enter a real date"),
        ({"what_was_disclosed": ""}, "Say what was disclosed"),
        ({"category": ""}, "Choose what kind of concern"),
        ({"about": ""}, "Say who is at risk"),
        ({"sharing": "shared", "sharing_shared_with": ""}, "Say who it was shared with"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(personas, change, message):
    p = personas
    client = p.client_of(p.you)
    data = {**FORM, "disclosed_on": timezone.localdate().isoformat(), **change}
    response = signed_in(p.you).post(reverse("safeguarding:concern_new", args=[client.pk]), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert not Concern.objects.exists() and not ThirdParty.objects.exists()
    assert not ConcernAction.objects.exists() and not SharingDecision.objects.exists()


def test_concern_page_by_persona(personas, world):
    p = personas
    client, hers, his = world
    expected = {  # persona: (her concern, his concern)
        "you": (200, 200),
        "teammate": (404, 200),
        "manager": (404, 200),
        "other_caseworker": (404, 404),
        "other_manager": (404, 404),
        "report_viewer": (404, 404),
        "safeguarding_lead": (200, 200),
        "on_call": (404, 404),
    }
    for name, codes in expected.items():
        http = signed_in(getattr(p, name))
        for concern, code in zip((hers, his), codes, strict=True):
            response = http.get(reverse("safeguarding:concern_detail", args=[concern.pk]))
            assert response.status_code == code, (name, concern.about)
            if code == 404:
                assert concern.what_was_disclosed not in response.content.decode()
    # her record's views name no client; his are on his trail
    assert not AuditEvent.objects.filter(object_id=str(hers.pk), client_id__isnull=False).exists()
    assert AuditEvent.objects.filter(object_id=str(his.pk), action=AuditAction.VIEW, client_id=client.pk).exists()


def test_his_file_shows_only_the_flag(personas, world):
    p = personas
    client, hers, his = world
    for name in ("you", "teammate", "manager"):
        http = signed_in(getattr(p, name))
        page = http.get(reverse("people:client_detail", args=[client.pk])).content.decode()
        assert "A safeguarding concern exists — see the safeguarding lead." in page, name
        for secret in (DISCLOSURE, "girlfriend", str(hers.pk), str(hers.third_party_id)):
            assert secret not in page, (name, secret)
        own = http.get(reverse("safeguarding:client_concerns", args=[client.pk]))
        body = own.content.decode()
        assert own.status_code == 200
        assert "A safeguarding concern exists" in body and str(his.pk) in body
        assert str(hers.pk) not in body and "girlfriend" not in body and "Domestic abuse" not in body
    for name in ("other_caseworker", "report_viewer", "safeguarding_lead"):
        assert (
            signed_in(getattr(p, name)).get(reverse("safeguarding:client_concerns", args=[client.pk])).status_code
            == 404
        )
    # once closed, no flag
    Concern.objects.filter(pk=hers.pk).update(status="closed", closed_on=timezone.localdate())
    page = signed_in(p.teammate).get(reverse("people:client_detail", args=[client.pk])).content.decode()
    assert "A safeguarding concern exists" not in page


def test_a_note_typed_about_the_visit_is_the_only_thing_in_his_timeline(personas, world):
    p = personas
    client, _, _ = world
    ContactFactory(client=client, case=client.cases.get(), recorded_by=p.you, note="Home visit. Referred him to BIS.")
    page = signed_in(p.you).get(reverse("people:client_detail", args=[client.pk]))
    html = page.content.decode()
    assert "Referred him to BIS." in html and DISCLOSURE not in html


def test_queue_for_the_lead_and_concerns_raised_for_staff(personas, world, django_assert_max_num_queries):
    p = personas
    _, hers, his = world
    other = p.client_of(p.other_caseworker, first_name="Eli")
    for _ in range(5):
        ConcernFactory(
            client=other,
            recorded_by=p.other_caseworker,
            about="third_party",
            review_on=timezone.localdate() - dt.timedelta(days=1),
        )
    ConcernFactory(client=other, recorded_by=p.other_caseworker, status="closed")
    url = reverse("safeguarding:concern_queue")
    http = signed_in(p.safeguarding_lead)
    with django_assert_max_num_queries(16):
        response = http.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and "Safeguarding concerns" in html
    assert html.count("Overdue") == 5 and str(hers.pk) in html and str(his.pk) in html
    assert html.index("Eli") < html.index("Dev Marsh")  # overdue first
    assert f'href="{url}"' in html  # the lead's navigation
    mine = signed_in(p.you).get(url).content.decode()
    assert "Concerns you raised" in mine and str(hers.pk) in mine and str(his.pk) not in mine
    assert str(his.pk) in signed_in(p.teammate).get(url).content.decode()
    for name in ("report_viewer",):
        assert signed_in(getattr(p, name)).get(url).status_code == 404


def test_acting_on_the_page(personas, world):
    p = personas
    _, hers, _ = world
    url = reverse("safeguarding:concern_detail", args=[hers.pk])
    http = signed_in(p.you)
    response = http.post(url, {"form": "action", "act-kind": "safeguarding_lead", "act-note": "Rang Sol."})
    assert response.status_code == 302 and hers.actions.get().note == "Rang Sol."
    response = http.post(url, {"form": "sharing", "share-shared": "yes", "share-shared_with": "", "share-reasons": "x"})
    assert response.status_code == 422 and "Say who it was shared with" in response.content.decode()
    assert not hers.sharing_decisions.exists()
    response = http.post(
        url,
        {
            "form": "sharing",
            "share-shared": "yes",
            "share-shared_with": "Lambeth MASH",
            "share-lawful_basis": "safeguarding",
            "share-reasons": "Risk of serious harm to her.",
        },
    )
    assert response.status_code == 302 and hers.sharing_decisions.get().shared_with == "Lambeth MASH"
    response = http.post(url, {"form": "status", "status-status": "closed", "status-note": "", "status-version": "1"})
    assert response.status_code == 422 and "Say why it is being closed" in response.content.decode()
    response = http.post(url, {"form": "status", "status-status": "with_lead", "status-version": "1"})
    assert response.status_code == 302
    stale = http.post(
        url, {"form": "review", "review-review_on": timezone.localdate().isoformat(), "review-version": "1"}
    )
    assert stale.status_code == 409 and "Someone else changed this record" in stale.content.decode()
    assert 'id="conflict"' in stale.content.decode()  # what was saved, beside what this person entered
    response = http.post(url, {"form": "third_party", "tp-description": "his ex-girlfriend", "tp-version": "1"})
    assert response.status_code == 302
    hers.refresh_from_db()
    assert hers.status == "with_lead" and hers.third_party.description == "his ex-girlfriend"
    # the lead may act; a teammate of the recorder may not even find it
    lead = signed_in(p.safeguarding_lead)
    assert lead.post(url, {"form": "action", "act-kind": "marac"}).status_code == 302
    assert signed_in(p.teammate).post(url, {"form": "action", "act-kind": "police"}).status_code == 404
    assert hers.actions.count() == 2
    assert not AuditEvent.objects.filter(client_id=hers.client_id, object_type__startswith="safeguarding").exists()


def test_someone_who_sees_a_concern_about_the_client_but_did_not_record_it_cannot_act(personas, world):
    p = personas
    _, _, his = world
    url = reverse("safeguarding:concern_detail", args=[his.pk])
    page = signed_in(p.manager).get(url).content.decode()
    assert HIS_DISCLOSURE in page and "Record an action" not in page
    assert signed_in(p.manager).post(url, {"form": "action", "act-kind": "police"}).status_code == 404
    assert not his.actions.exists()
