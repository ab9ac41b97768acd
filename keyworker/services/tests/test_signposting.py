"""Signposting someone who is not a client: the least data (a description, never a name or a client link),
seen only by the worker who gave it and the safeguarding lead; audited with no client id."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.testing import ServiceFactory, UserFactory, signed_in
from keyworker.services.models import Signposting
from keyworker.services.selectors.signposting import signposting_list_for
from keyworker.services.services.signposting import signposting_record

pytestmark = pytest.mark.django_db


def _record(p, user=None, **fields):
    values = {"service": ServiceFactory(name="National Domestic Abuse Helpline", is_helpline=True),
              "given_on": timezone.localdate(), "method": "in_person", "who": "a young woman, a client's partner"}
    values.update(fields)
    return signposting_record(actor=user or p.you, **values)


@pytest.fixture
def lead(personas):
    return UserFactory(email="sglead@s.test", role=Role.SAFEGUARDING_LEAD, team=None)


def test_recording_keeps_a_description_and_audits_no_client(personas):
    p = personas
    record = _record(p, note="Gave her the card.")
    assert record.given_by == p.you and record.who == "a young woman, a client's partner"
    event = AuditEvent.objects.get(object_id=str(record.pk))
    assert event.action == AuditAction.CREATE and event.client_id is None
    assert not any(f.name in ("client", "case") for f in Signposting._meta.get_fields())


def test_anything_that_looks_like_a_client_link_is_refused(personas):
    p = personas
    client = p.client_of(p.you)
    for extra in ({"client": client}, {"client_id": client.pk}, {"case": client.cases.get()}):
        with pytest.raises(ValidationFailed, match="never linked"):
            _record(p, **extra)
    for text in (str(client.pk), f"see /clients/{client.pk}/", client.pk.hex):
        with pytest.raises(ValidationFailed):
            _record(p, who=text)
        with pytest.raises(ValidationFailed):
            _record(p, note=f"Partner of {text}")
    assert not Signposting.objects.exists()


def test_bad_input_is_refused(personas):
    p = personas
    with pytest.raises(ValidationFailed) as refused:
        _record(p, who="x" * 101, given_on=timezone.localdate().replace(year=timezone.localdate().year + 1),
                method="carrier pigeon")
    assert set(refused.value.field_errors) == {"who", "given_on", "method"}
    with pytest.raises(NotAllowed):
        _record(p, user=p.report_viewer)
    assert not Signposting.objects.exists()


def test_only_the_worker_and_the_safeguarding_lead_see_it(personas, lead):
    p = personas
    mine = _record(p)
    theirs = _record(p, user=p.teammate)
    assert list(signposting_list_for(p.you)) == [mine]
    assert list(signposting_list_for(p.teammate)) == [theirs]
    assert set(signposting_list_for(lead)) == {mine, theirs}
    for user in (p.manager, p.other_caseworker, p.report_viewer):
        assert not signposting_list_for(user).exists()


def test_signposting_detail_by_persona(personas, lead):
    p = personas
    record = _record(p, who="a young woman")
    url = reverse("services:signposting_detail", args=[record.pk])
    for user in (p.you, lead):
        response = signed_in(user).get(url)
        assert response.status_code == 200 and "a young woman" in response.content.decode()
    mentor = UserFactory(email="mentor@s.test", role=Role.PEER_MENTOR, team=p.team)
    for user in (p.teammate, p.manager, p.other_caseworker, p.other_manager, p.report_viewer, mentor):
        response = signed_in(user).get(url)
        assert response.status_code == 404 and "a young woman" not in response.content.decode()
    response = HttpClient().get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_list_page(personas, lead, django_assert_max_num_queries):
    p = personas
    for i in range(6):
        _record(p, who=f"person {i}")
    _record(p, user=p.teammate, who="from the teammate")
    http = signed_in(p.you)
    with django_assert_max_num_queries(8):
        page = http.get(reverse("services:signposting_list")).content.decode()
    assert "person 5" in page and "from the teammate" not in page and "Record signposting" in page
    page = signed_in(lead).get(reverse("services:signposting_list")).content.decode()
    assert "person 5" in page and "from the teammate" in page and "Record signposting" not in page
    assert signed_in(lead).get(reverse("services:signposting_new")).status_code == 404


def test_the_form_lists_helplines_first_and_records(personas):
    p = personas
    local = ServiceFactory(name="Aardvark Local Service")
    helpline = ServiceFactory(name="Zebra Helpline", is_helpline=True, is_national=True)
    http = signed_in(p.you)
    page = http.get(reverse("services:signposting_new")).content.decode()
    assert page.index("Zebra Helpline") < page.index("Aardvark Local Service")
    assert "a description, not a name" in page.lower() or "A description, not a name" in page
    response = http.post(reverse("services:signposting_new"), {
        "service": str(helpline.pk), "given_on": timezone.localdate().isoformat(), "method": "phone",
        "who": "a young woman", "note": "",
    })
    record = Signposting.objects.get()
    assert response.status_code == 302 and record.service == helpline and record.method == "phone"
    response = http.post(reverse("services:signposting_new"), {
        "service": str(local.pk), "given_on": timezone.localdate().isoformat(), "method": "phone",
        "who": "y" * 101,
    })
    assert response.status_code == 422 and "100 characters" in response.content.decode()
    assert Signposting.objects.count() == 1
