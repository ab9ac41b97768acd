"""Break-glass: the on-call worker opens a record out of hours with a reason; it expires; the manager is told
in the app and by e-mail (through a real SMTP server on loopback)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditEvent
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, NotFound, ValidationFailed
from keyworker.core.models import Notification
from keyworker.core.testing import Inbox, Personas, UserFactory
from keyworker.safeguarding.models import AccessRuleKind, BreakGlassGrant
from keyworker.safeguarding.rules import is_out_of_hours
from keyworker.safeguarding.services import access_rule_set, break_glass_open

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MIDNIGHT_FRIDAY = dt.datetime(2026, 11, 27, 23, 55, tzinfo=LONDON)
TUESDAY_NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=LONDON)
REASON = "Crisis call: friends assaulted someone, he was there and feels trapped."


@pytest.fixture
def on_call(personas: Personas):
    return UserFactory(
        email="oncall@keyworker.test", first_name="Cal", last_name="Oncall", role=Role.ON_CALL, team=None
    )


def test_out_of_hours_rule():
    assert is_out_of_hours(MIDNIGHT_FRIDAY)
    assert not is_out_of_hours(TUESDAY_NOON)
    assert is_out_of_hours(dt.datetime(2026, 11, 28, 12, 0, tzinfo=LONDON))  # Saturday
    assert is_out_of_hours(dt.datetime(2026, 11, 24, 17, 30, tzinfo=LONDON))
    assert not is_out_of_hours(dt.datetime(2026, 11, 24, 9, 0, tzinfo=LONDON))


def test_break_glass_opens_the_record_tells_the_manager_and_expires(
    personas: Personas, on_call, smtp: Inbox, django_capture_on_commit_callbacks
):
    person = personas.client_of(personas.you)
    assert not policy.clients_visible_to(on_call).filter(pk=person.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        grant = break_glass_open(actor=on_call, client_id=person.pk, reason=REASON, now=MIDNIGHT_FRIDAY)
    assert grant.expires_at == MIDNIGHT_FRIDAY + dt.timedelta(hours=4)
    assert AuditEvent.objects.filter(object_id=str(grant.pk), detail__break_glass=True).exists()
    note = Notification.objects.get(recipient=personas.manager)
    assert "break-glass" in note.subject.lower() and str(person.pk) in note.link
    assert not Notification.objects.filter(recipient=personas.other_manager).exists()
    assert [m["To"] for m in smtp.messages] == [personas.manager.email]
    assert person.last_name not in smtp.messages[0].get_payload()  # no personal data by e-mail

    # Within the window the record is open to them (grant times are real; shift the grant to now).
    BreakGlassGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() + dt.timedelta(hours=1))
    assert policy.clients_visible_to(on_call).filter(pk=person.pk).exists()
    assert policy.seen_by_break_glass(on_call, person)
    BreakGlassGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert not policy.clients_visible_to(on_call).filter(pk=person.pk).exists()


def test_break_glass_needs_out_of_hours_and_a_reason(personas: Personas, on_call):
    person = personas.client_of(personas.you)
    with pytest.raises(ValidationFailed):
        break_glass_open(actor=on_call, client_id=person.pk, reason=REASON, now=TUESDAY_NOON)
    with pytest.raises(ValidationFailed) as raised:
        break_glass_open(actor=on_call, client_id=person.pk, reason="urgent", now=MIDNIGHT_FRIDAY)
    assert "reason" in raised.value.field_errors
    assert not BreakGlassGrant.objects.exists()
    assert not Notification.objects.exists()


def test_restricted_client_only_if_named(personas: Personas, on_call):
    person = personas.client_of(personas.you)
    access_rule_set(
        actor=personas.manager,
        client=person,
        kind=AccessRuleKind.RESTRICTION,
        staff=[personas.you],
        reason="High-profile: named staff only.",
    )
    with pytest.raises(NotFound):
        break_glass_open(actor=on_call, client_id=person.pk, reason=REASON, now=MIDNIGHT_FRIDAY)
    # Named staff are the union of the restrictions in force: once named, the on-call worker may break glass.
    access_rule_set(
        actor=personas.manager,
        client=person,
        kind=AccessRuleKind.RESTRICTION,
        staff=[on_call],
        reason="On-call may open in a crisis.",
    )
    grant = break_glass_open(actor=on_call, client_id=person.pk, reason=REASON, now=MIDNIGHT_FRIDAY)
    assert grant.client == person


def test_excluded_on_call_worker_cannot_break_glass(personas: Personas, on_call):
    person = personas.client_of(personas.you)
    access_rule_set(
        actor=personas.manager,
        client=person,
        kind=AccessRuleKind.EXCLUSION,
        staff=[on_call],
        reason="Cal knows the family personally.",
    )
    with pytest.raises(NotFound):
        break_glass_open(actor=on_call, client_id=person.pk, reason=REASON, now=MIDNIGHT_FRIDAY)


@pytest.mark.parametrize("persona", ["you", "manager", "report_viewer"])
def test_only_the_on_call_role_breaks_glass(personas: Personas, persona: str):
    person = personas.client_of(personas.other_caseworker)
    with pytest.raises(NotAllowed):
        break_glass_open(actor=getattr(personas, persona), client_id=person.pk, reason=REASON, now=MIDNIGHT_FRIDAY)


def test_break_glass_page_is_for_the_on_call_worker(client, personas: Personas, on_call):
    client.force_login(personas.you)
    assert client.get(reverse("safeguarding:break_glass")).status_code == 404
    client.force_login(on_call)
    assert client.get(reverse("safeguarding:break_glass")).status_code == 200


@pytest.fixture
def midnight(monkeypatch):
    """Make it out of hours for the page and the service (the rule itself is tested above)."""
    monkeypatch.setattr("keyworker.safeguarding.views.access.is_out_of_hours", lambda moment: True)
    monkeypatch.setattr("keyworker.safeguarding.services.access.is_out_of_hours", lambda moment: True)


def test_on_call_worker_finds_and_opens_a_record_through_the_page(client, personas: Personas, on_call, midnight):
    person = personas.client_of(personas.other_caseworker, first_name="Andre", last_name="Crisiscall")
    client.force_login(on_call)
    assert client.get(reverse("people:client_detail", args=[person.pk])).status_code == 404
    found = client.get(reverse("safeguarding:break_glass"), {"q": "Crisiscall"}).content.decode()
    assert "Andre Crisiscall" in found
    response = client.post(reverse("safeguarding:break_glass"), {"client_id": str(person.pk), "reason": REASON})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Opened by break-glass until" in page
    assert AuditEvent.objects.filter(actor=on_call, client_id=person.pk, action="view", break_glass=True).exists()
    assert Notification.objects.filter(recipient=personas.other_manager).exists()


def test_a_reason_is_required_on_the_page(client, personas: Personas, on_call, midnight):
    person = personas.client_of(personas.other_caseworker, last_name="Needsreason")
    client.force_login(on_call)
    response = client.post(
        reverse("safeguarding:break_glass") + "?q=Needsreason", {"client_id": str(person.pk), "reason": ""}
    )
    assert response.status_code == 422
    assert "Say why you need this record." in response.content.decode()
    assert not BreakGlassGrant.objects.exists()


def test_in_office_hours_the_page_does_not_search(client, personas: Personas, on_call, monkeypatch):
    monkeypatch.setattr("keyworker.safeguarding.views.access.is_out_of_hours", lambda moment: False)
    personas.client_of(personas.other_caseworker, last_name="Daytime")
    client.force_login(on_call)
    html = client.get(reverse("safeguarding:break_glass"), {"q": "Daytime"}).content.decode()
    assert "It is office hours" in html and "Daytime" not in html.split("</form>")[-1]


def test_every_read_through_break_glass_is_marked_so_in_the_audit(client, personas: Personas, on_call):
    """Pages and API calls alike: the mark is worked out where the view is recorded, so none can forget it."""
    person = personas.client_of(personas.you)
    grant = break_glass_open(actor=on_call, client_id=person.pk, reason=REASON, now=MIDNIGHT_FRIDAY)
    BreakGlassGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() + dt.timedelta(hours=1))
    client.force_login(on_call)
    for url in (
        f"/api/v1/clients/{person.pk}",
        reverse("custody:client_custody", args=[person.pk]),
        reverse("casework:contact_add", args=[person.pk]),
    ):
        before = set(AuditEvent.objects.filter(actor=on_call, client_id=person.pk).values_list("pk", flat=True))
        assert client.get(url).status_code == 200, url
        views = AuditEvent.objects.filter(actor=on_call, client_id=person.pk, action="view").exclude(pk__in=before)
        assert views and all(event.break_glass for event in views), url
    # The client's own keyworker reading the same record is not a break-glass read.
    client.force_login(personas.you)
    client.get(f"/api/v1/clients/{person.pk}")
    mine = AuditEvent.objects.filter(actor=personas.you, client_id=person.pk, action="view")
    assert mine and not any(event.break_glass for event in mine)
