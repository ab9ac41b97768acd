"""Custody and court pages by persona: who may see and do what (others get 404), what the custody page shows,
the forms that write (bad input: a clear message and nothing changed), and that every view is audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import (
    ChargeFactory,
    CustodyEpisodeFactory,
    EstablishmentFactory,
    HearingFactory,
    Personas,
    UserFactory,
    signed_in,
)
from keyworker.core.tests.test_authorisation_matrix import _assert_cell, _build_world, _views_of, allowed_states
from keyworker.custody import services
from keyworker.custody.models import (
    CustodyEpisode,
    CustodyTransfer,
    Establishment,
    EstablishmentKind,
    Hearing,
    NeedStatus,
    ReleaseNeed,
    ReleaseNeedUpdate,
)
from keyworker.custody.rules import CATALOGUE

pytestmark = pytest.mark.django_db


def _episode(p: Personas, client, **fields) -> CustodyEpisode:
    values = {
        "establishment": EstablishmentFactory(name="HMP Pentonville Test"),
        "received_on": timezone.localdate() - dt.timedelta(days=300),
        "release_on": timezone.localdate() + dt.timedelta(days=30),
        "prison_number": "A1234BC",
        "probation_practitioner": "Pat Probation",
    }
    values.update(fields)
    return services.custody_episode_open(actor=p.you, client=client, **values)


def _court(name: str = "Highbury Test Magistrates") -> Establishment:
    return EstablishmentFactory(kind=EstablishmentKind.MAGISTRATES_COURT, name=name)


def _viewed(user, client) -> int:
    return AuditEvent.objects.filter(actor=user, client_id=client.pk, action=AuditAction.VIEW).count()


# ------------------------------------------------------------------------------------- who sees what


# Routes addressed by a custody record's id (not a client's): each is in reach exactly when its client is.
RECORD_ROUTES = {
    "custody:episode_edit": "episode",
    "custody:transfer_new": "episode",
    "custody:release_record": "episode",
    "custody:need_add": "episode",
    "custody:need_update": "need",
    "custody:hearing_outcome": "hearing",
}


def test_custody_record_routes_follow_the_client_record_matrix():
    """Every role x record state of docs/access-policy.md's client-record row, for the routes addressed by a
    custody episode, a release need or a hearing: allowed cells answer and are audited, denied cells are 404
    and show nothing; anonymous callers are sent to sign in. A denied POST changes nothing."""
    world = _build_world()
    records = {}
    for state, bundle in world.bundles.items():
        episode = bundle.client.custody_episodes.get()  # the world puts each client in custody
        CustodyEpisode.objects.filter(pk=episode.pk).update(prison_number=f"P{bundle.marker}"[:20])
        need = ReleaseNeed.objects.create(episode=episode, need="gp", pathway="health", title=f"GP {bundle.marker}")
        hearing = HearingFactory(client=bundle.client, description=f"Hearing of {bundle.marker}")
        records[state] = {"episode": episode.pk, "need": need.pk, "hearing": hearing.pk}
    http = HttpClient()
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        allowed = allowed_states("client-record", role)
        for state, bundle in world.bundles.items():
            for name, kind in RECORD_ROUTES.items():
                url = reverse(name, args=[records[state][kind]])
                before = _views_of(viewer, bundle)
                response = http.get(url)
                _assert_cell(response, state in allowed, bundle.marker, f"GET {name} {role} {state}")
                if state in allowed:
                    assert _views_of(viewer, bundle) > before, (name, role, state, "not audited")
                else:
                    assert http.post(url, {"version": "1", "status": "met"}).status_code == 404
    assert not ReleaseNeedUpdate.objects.exists() and not ReleaseNeed.objects.filter(status="met").exists()
    http.logout()
    for name, kind in RECORD_ROUTES.items():
        response = http.get(reverse(name, args=[records["own"][kind]]))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_custody_page_by_persona(personas: Personas):
    client = personas.client_of(personas.you, first_name="Marcus")
    _episode(personas, client)
    url = reverse("custody:client_custody", args=[client.pk])
    for user in (personas.you, personas.teammate, personas.manager):
        before = _viewed(user, client)
        response = signed_in(user).get(url)
        assert response.status_code == 200 and "Pat Probation" in response.content.decode()
        assert _viewed(user, client) == before + 1
    others = [
        personas.other_caseworker,
        personas.other_manager,
        personas.report_viewer,
        UserFactory(email="mentor@c.test", role=Role.PEER_MENTOR, team=personas.team),
        UserFactory(email="dpo@c.test", role=Role.DATA_PROTECTION_OFFICER, team=None),
    ]
    for user in others:
        response = signed_in(user).get(url)
        assert response.status_code == 404 and "Pat Probation" not in response.content.decode()
        assert _viewed(user, client) == 0
    anonymous = HttpClient().get(url)
    assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]


def test_custody_page_shows_the_countdown_plan_transfers_and_hearings(personas: Personas):
    client = personas.client_of(personas.you, first_name="Marcus")
    episode = _episode(personas, client)
    services.custody_transfer_record(
        actor=personas.you,
        episode=episode,
        expected_version=episode.version,
        to_establishment=EstablishmentFactory(name="HMP Brixton Test"),
        transferred_on=timezone.localdate() - dt.timedelta(days=10),
    )
    need = episode.needs.get(need="housing")  # due 28 days before a release 30 days away: not behind yet
    ReleaseNeed.objects.filter(pk=need.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    met = episode.needs.get(need="gp")
    services.release_need_update(
        actor=personas.you, need=met, expected_version=met.version, status=NeedStatus.MET, note="Registered at Mill St"
    )
    charge = ChargeFactory(client=client, recorded_by=personas.you, offence="Robbery")
    past = HearingFactory(
        client=client, recorded_by=personas.you, court=_court(), starts_at=timezone.now() - dt.timedelta(days=200)
    )
    past.charges.set([charge])
    services.hearing_outcome_record(
        actor=personas.you, hearing=past, expected_version=past.version, outcome="fine", outcome_detail="£200"
    )
    CustodyEpisodeFactory(
        client=client,
        received_on=timezone.localdate() - dt.timedelta(days=900),
        released_on=timezone.localdate() - dt.timedelta(days=700),
        release_on=None,
        establishment=EstablishmentFactory(name="HMYOI Feltham Test"),
    )
    page = signed_in(personas.you).get(reverse("custody:client_custody", args=[client.pk])).content.decode()
    assert "30 days to release" in page
    for text in (
        "HMP Brixton Test",
        "A1234BC",
        "Pat Probation",
        "HMP Pentonville Test to HMP Brixton Test",
        "Accommodation",
        "Finance, benefit and debt",
        "Children and families",
        "Behind",
        "Registered at Mill St",
        "Robbery: alleged (source: charge sheet)",
        "Fine",
        "£200",
        "HMYOI Feltham Test",
        f"{len(CATALOGUE) - 1} of {len(CATALOGUE)} needs still open",
    ):
        assert text in page, text
    gate = f"{reverse('diary:appointment_new', args=[client.pk])}?kind=gate&amp;episode={episode.pk}"
    assert gate in page
    for name in ("transfer_new", "release_record", "episode_edit"):
        assert reverse(f"custody:{name}", args=[episode.pk]) in page
    assert reverse("custody:hearing_outcome", args=[past.pk]) in page


def test_a_need_is_updated_inline_with_htmx(personas: Personas):
    client = personas.client_of(personas.you)
    need = _episode(personas, client).needs.get(need="first_night")
    http = signed_in(personas.you)
    url = reverse("custody:need_update", args=[need.pk])
    response = http.post(
        url, {"status": "in_progress", "note": "Hostel bed booked", "version": need.version}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and f'id="need-{need.pk}"' in body
    assert "Saved." in body and "Hostel bed booked" in body and "In progress" in body
    need.refresh_from_db()
    assert need.status == "in_progress" and need.updates.get().note == "Hostel bed booked"
    # No change and no note: the row comes back with the message, and nothing is written.
    again = http.post(url, {"status": "in_progress", "note": "", "version": need.version}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and "Add a note, or choose a different status." in again.content.decode()
    stale = http.post(url, {"status": "met", "version": 1}, HTTP_HX_REQUEST="true")
    assert "Someone else changed this record" in stale.content.decode()
    assert ReleaseNeedUpdate.objects.count() == 1 and ReleaseNeed.objects.get(pk=need.pk).status == "in_progress"
    # Without htmx: a page of its own, and a redirect back after saving.
    assert http.get(url).status_code == 200
    done = http.post(url, {"status": "met", "note": "", "version": need.version})
    assert done.status_code == 302 and done["Location"] == reverse("custody:client_custody", args=[client.pk])


# ------------------------------------------------------------------------------------- the forms


def test_opening_custody_from_the_form(personas: Personas):
    client = personas.client_of(personas.you)
    prison = EstablishmentFactory(name="HMP Thameside Test")
    http = signed_in(personas.you)
    url = reverse("custody:episode_new", args=[client.pk])
    form = http.get(url)
    assert form.status_code == 200 and "HMP Thameside Test" in form.content.decode()
    bad = http.post(url, {"establishment": str(prison.pk), "received_on": "2999-01-01", "legal_status": "sentenced"})
    assert bad.status_code == 422 and "cannot be in the future" in bad.content.decode()
    court = http.post(
        url, {"establishment": str(_court().pk), "received_on": "2026-01-05", "legal_status": "sentenced"}
    )
    assert court.status_code == 422 and "Choose the prison." in court.content.decode()
    assert not CustodyEpisode.objects.exists()
    release = timezone.localdate() + dt.timedelta(days=40)
    ok = http.post(
        url,
        {
            "establishment": str(prison.pk),
            "received_on": "2026-01-05",
            "legal_status": "sentenced",
            "release_on": release.isoformat(),
            "prison_number": "a7777aa",
            "release_type": "conditional",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("custody:client_custody", args=[client.pk])
    episode = CustodyEpisode.objects.get()
    assert episode.release_on == release and episode.needs.count() == len(CATALOGUE)
    edit = http.post(
        reverse("custody:episode_edit", args=[episode.pk]),
        {
            "received_on": "2026-01-05",
            "legal_status": "sentenced",
            "release_on": "",
            "version": episode.version,
            "prison_number": "A7777AA",
        },
    )
    assert edit.status_code == 302
    assert not episode.needs.exclude(due_on=None).exists()  # no release date: nothing is due yet


def test_transfer_and_release_from_the_forms(personas: Personas):
    client = personas.client_of(personas.you)
    episode = _episode(personas, client)
    http = signed_in(personas.you)
    moved_to = EstablishmentFactory(name="HMP Highpoint Test")
    url = reverse("custody:transfer_new", args=[episode.pk])
    bad = http.post(url, {"to_establishment": str(moved_to.pk), "transferred_on": "", "version": episode.version})
    assert bad.status_code == 422 and "Enter the date of the move." in bad.content.decode()
    ok = http.post(
        url,
        {
            "to_establishment": str(moved_to.pk),
            "transferred_on": timezone.localdate().isoformat(),
            "version": episode.version,
        },
    )
    assert ok.status_code == 302 and CustodyTransfer.objects.get().to_establishment == moved_to
    episode.refresh_from_db()
    url = reverse("custody:release_record", args=[episode.pk])
    future = http.post(url, {"released_on": "2999-01-01", "version": episode.version})
    assert future.status_code == 422 and "before it happens" in future.content.decode()
    ok = http.post(url, {"released_on": timezone.localdate().isoformat(), "version": episode.version})
    assert ok.status_code == 302
    episode.refresh_from_db()
    assert episode.released_on == timezone.localdate() and episode.establishment == moved_to
    page = http.get(reverse("custody:client_custody", args=[client.pk])).content.decode()
    assert "Not in custody." in page and "Earlier custody" in page


def test_charge_hearing_and_outcome_from_the_forms(personas: Personas):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    bad = http.post(reverse("custody:charge_new", args=[client.pk]), {"offence": "Robbery", "source": ""})
    assert bad.status_code == 422 and "Say where this comes from." in bad.content.decode()
    assert (
        http.post(
            reverse("custody:charge_new", args=[client.pk]), {"offence": "Robbery", "source": "solicitor"}
        ).status_code
        == 302
    )
    charge = client.charges.get()
    court = _court()
    url = reverse("custody:hearing_new", args=[client.pk])
    form = http.get(url).content.decode()
    assert "Robbery (alleged; source: solicitor)" in form and court.name in form
    missing = http.post(url, {"court": str(court.pk), "on": "", "at": "10:00", "kind": "plea"})
    assert missing.status_code == 422 and "Enter the date of the hearing." in missing.content.decode()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ok = http.post(
        url,
        {
            "court": str(court.pk),
            "on": yesterday.isoformat(),
            "at": "10:00",
            "kind": "plea",
            "charges": [str(charge.pk)],
        },
    )
    assert ok.status_code == 302
    hearing = Hearing.objects.get()
    assert list(hearing.charges.all()) == [charge] and timezone.localtime(hearing.starts_at).hour == 10
    url = reverse("custody:hearing_outcome", args=[hearing.pk])
    no_date = http.post(url, {"action": "record", "outcome": "adjourned", "version": hearing.version})
    assert no_date.status_code == 422 and "adjourned to" in no_date.content.decode()
    assert Hearing.objects.count() == 1
    next_day = timezone.localdate() + dt.timedelta(days=21)
    ok = http.post(
        url, {"action": "record", "outcome": "adjourned", "next_on": next_day.isoformat(), "version": hearing.version}
    )
    assert ok.status_code == 302
    hearing.refresh_from_db()
    assert hearing.next_hearing.starts_at == timezone.make_aware(dt.datetime.combine(next_day, dt.time(10, 0)))
    page = http.get(url).content.decode()
    assert "Recorded outcome" in page and "Correct the details" in page and "Record the outcome" not in page
    again = http.post(url, {"action": "record", "outcome": "fine", "version": hearing.version})
    assert again.status_code == 422 and "already recorded" in again.content.decode()
    fixed = http.post(
        url, {"action": "correct", "outcome_detail": "Defence asked for time", "version": hearing.version}
    )
    assert fixed.status_code == 302
    hearing.refresh_from_db()
    assert hearing.outcome == "adjourned" and hearing.outcome_detail == "Defence asked for time"


def test_a_custodial_outcome_from_the_form_opens_custody(personas: Personas):
    client = personas.client_of(personas.you)
    hearing = HearingFactory(client=client, recorded_by=personas.you, starts_at=timezone.now() - dt.timedelta(hours=2))
    prison = EstablishmentFactory(name="HMP Wormwood Scrubs Test")
    http = signed_in(personas.you)
    url = reverse("custody:hearing_outcome", args=[hearing.pk])
    no_prison = http.post(
        url, {"action": "record", "outcome": "custodial", "sentence_length": "2 years", "version": hearing.version}
    )
    assert no_prison.status_code == 422 and "Choose the prison they were taken to." in no_prison.content.decode()
    ok = http.post(
        url,
        {
            "action": "record",
            "outcome": "custodial",
            "sentence_length": "2 years",
            "establishment": str(prison.pk),
            "version": hearing.version,
        },
    )
    assert ok.status_code == 302
    episode = CustodyEpisode.objects.get(client=client)
    assert (
        episode.establishment == prison and episode.source_hearing == hearing and episode.sentence_length == "2 years"
    )
    assert "Custody at HMP Wormwood Scrubs Test was opened from this outcome." in http.get(url).content.decode()


# ------------------------------------------------------------------------------------- the directory


def test_directory_pages_by_role(personas: Personas):
    prison = EstablishmentFactory(name="HMP Directory Test", visiting_arrangements="Legal visits: ring 9-11am")
    court = _court("Directory Test Crown")
    list_url, detail_url = reverse("custody:directory_list"), reverse("custody:directory_detail", args=[prison.pk])
    on_call = UserFactory(email="oncall@c.test", role=Role.ON_CALL, team=None)
    for user in (personas.you, personas.manager, personas.other_caseworker, on_call):
        http = signed_in(user)
        assert http.get(list_url).status_code == 200
        assert "Legal visits: ring 9-11am" in http.get(detail_url).content.decode()
        assert http.get(reverse("custody:directory_edit", args=[prison.pk])).status_code == 200
    nobody = [
        personas.report_viewer,
        UserFactory(email="mentor@d.test", role=Role.PEER_MENTOR, team=personas.team),
        UserFactory(email="sg@d.test", role=Role.SAFEGUARDING_LEAD, team=None),
    ]
    for user in nobody:
        http = signed_in(user)
        for url in (list_url, detail_url, reverse("custody:directory_new")):
            assert http.get(url).status_code == 404
        assert (
            http.post(reverse("custody:directory_edit", args=[prison.pk]), {"kind": "prison", "name": "X"}).status_code
            == 404
        )
    assert Establishment.objects.get(pk=prison.pk).name == "HMP Directory Test"
    http = signed_in(personas.you)
    prisons = http.get(list_url, {"kind": "prisons"}).content.decode()
    assert prison.name in prisons and court.name not in prisons
    found = http.get(list_url, {"q": "crown"}, HTTP_HX_REQUEST="true").content.decode()
    assert court.name in found and prison.name not in found and "<html" not in found
    assert HttpClient().get(list_url).status_code == 302


def test_directory_add_and_edit(personas: Personas):
    http = signed_in(personas.you)
    bad = http.post(reverse("custody:directory_new"), {"kind": "prison", "name": "", "email": "nope"})
    assert bad.status_code == 422 and "Enter the name." in bad.content.decode()
    ok = http.post(reverse("custody:directory_new"), {"kind": "prison", "name": "HMP New Test", "postcode": "se1 1aa"})
    prison = Establishment.objects.get(name="HMP New Test")
    assert ok.status_code == 302 and ok["Location"] == reverse("custody:directory_detail", args=[prison.pk])
    url = reverse("custody:directory_edit", args=[prison.pk])
    changed = http.post(
        url,
        {"kind": "prison", "name": "HMP New Test", "postcode": "se1 1aa", "phone": "020 1", "version": prison.version},
    )
    assert changed.status_code == 302
    stale = http.post(url, {"kind": "prison", "name": "HMP New Test", "phone": "020 2", "version": 1})
    assert stale.status_code == 409 and "Someone else changed this record" in stale.content.decode()
    prison.refresh_from_db()
    assert prison.phone == "020 1" and prison.postcode == "SE1 1AA"
    assert AuditEvent.objects.filter(object_id=str(prison.pk), client_id=None).count() == 2


def test_the_plan_stays_on_the_page_for_twelve_weeks_after_release(personas: Personas):
    """After the gate the course start and the housing are still being worked on: the plan stays, editable,
    and leaves the page once the release is more than 12 weeks old."""
    client = personas.client_of(personas.you)
    today = timezone.localdate()
    episode = _episode(personas, client, release_on=today)
    services.custody_release_record(
        actor=personas.you, episode=episode, released_on=today, expected_version=episode.version
    )
    http = signed_in(personas.you)
    url = reverse("custody:client_custody", args=[client.pk])
    page = http.get(url).content.decode()
    assert "Not in custody." in page and "Release plan" in page and "12 weeks after release" in page
    need = episode.needs.first()
    assert reverse("custody:need_update", args=[need.pk]) in page  # still open to updates
    with time_machine.travel(timezone.now() + dt.timedelta(days=85)):
        later = signed_in(personas.you).get(url).content.decode()  # a new sign-in: the old session has expired
    assert "Release plan" not in later and "Earlier custody" in later
