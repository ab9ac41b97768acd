"""The client page and search: who may see them, what they show, and that viewing is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import ContactKind
from keyworker.core.testing import ContactFactory, Personas

pytestmark = pytest.mark.django_db


def test_client_page_shows_identity_safe_contact_and_timeline(client, personas: Personas):
    person = personas.client_of(
        personas.you,
        first_name="Tayo",
        last_name="Fictional",
        preferred_name="T",
        may_leave_voicemail=False,
        code_word="bluebird",
    )
    ContactFactory(client=person, recorded_by=personas.you, kind=ContactKind.HOME_VISIT, note="Met at his mum's flat.")
    client.force_login(personas.you)
    response = client.get(reverse("people:client_detail", args=[person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tayo Fictional (T)" in html
    assert "Do NOT leave voicemail" in html
    assert "bluebird" in html
    assert "Met at his mum&#39;s flat." in html
    assert "moj-timeline" in html


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("you", 200),
        ("teammate", 200),
        ("manager", 200),
        ("other_caseworker", 404),
        ("other_manager", 404),
        ("report_viewer", 404),
    ],
)
def test_client_page_access(client, personas: Personas, viewer: str, status: int):
    person = personas.client_of(personas.you)
    client.force_login(getattr(personas, viewer))
    assert client.get(reverse("people:client_detail", args=[person.pk])).status_code == status


def test_client_page_needs_sign_in(client, personas: Personas):
    person = personas.client_of(personas.you)
    response = client.get(reverse("people:client_detail", args=[person.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_unknown_client_is_404(client, personas: Personas):
    client.force_login(personas.you)
    url = reverse("people:client_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_viewing_a_client_is_audited_and_managers_see_who_viewed(client, personas: Personas):
    person = personas.client_of(personas.you)
    client.force_login(personas.teammate)
    client.get(reverse("people:client_detail", args=[person.pk]))
    event = AuditEvent.objects.get(client_id=person.pk, action=AuditAction.VIEW)
    assert event.actor == personas.teammate
    assert event.source_ip == "127.0.0.1"

    client.force_login(personas.manager)
    html = client.get(reverse("people:client_detail", args=[person.pk])).content.decode()
    assert "Who viewed this record" in html
    assert personas.teammate.display_name in html

    client.force_login(personas.you)
    assert (
        "Who viewed this record" not in client.get(reverse("people:client_detail", args=[person.pk])).content.decode()
    )


def test_client_page_query_count_does_not_grow_with_contacts(client, personas: Personas, django_assert_max_num_queries):
    person = personas.client_of(personas.you)
    ContactFactory.create_batch(30, client=person, recorded_by=personas.teammate)
    client.force_login(personas.you)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("people:client_detail", args=[person.pk])).status_code == 200


def test_timeline_pages_with_htmx_return_only_the_timeline(client, personas: Personas):
    person = personas.client_of(personas.you)
    ContactFactory.create_batch(25, client=person, recorded_by=personas.you)
    client.force_login(personas.you)
    response = client.get(reverse("people:client_detail", args=[person.pk]) + "?page=2", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    # The 25th contact, then the case opening (90 days ago, older than every contact).
    assert html.count("moj-timeline__item") == 6
    assert f"Case {person.cases.get().reference} opened" in html


def test_search_by_name_preferred_name_and_reference(client, personas: Personas):
    mine = personas.client_of(personas.you, first_name="Jordan", last_name="Example", preferred_name="Jay")
    theirs = personas.client_of(personas.other_caseworker, first_name="Jordan", last_name="Elsewhere")
    client.force_login(personas.you)
    for query in ("jordan", "Jay", "exam", mine.cases.get().reference):
        html = client.get(reverse("people:search"), {"q": query}).content.decode()
        assert "Jordan Example" in html, query
        assert "Elsewhere" not in html
    assert theirs.pk  # exists, but never shown to you
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH, actor=personas.you).count() == 4


def test_search_is_not_for_roles_without_casework(client, personas: Personas):
    client.force_login(personas.report_viewer)
    assert client.get(reverse("people:search"), {"q": "a"}).status_code == 404
