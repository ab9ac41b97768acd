"""The disclosure log: written with what, to whom and on which basis (audited with the client), and read only
by those who can see the client."""

from __future__ import annotations

import pytest

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ValidationFailed
from keyworker.core.testing import ServiceFactory
from keyworker.privacy.models import Disclosure
from keyworker.privacy.selectors import disclosures_for
from keyworker.privacy.services import disclosure_record
from keyworker.services.models import OutboundReferral

pytestmark = pytest.mark.django_db


def _source(p, client):
    return OutboundReferral.objects.create(client=client, service=ServiceFactory(), reason="r", made_by=p.you)


def test_a_disclosure_is_logged_and_audited_with_its_source(personas):
    p = personas
    client = p.client_of(p.you)
    source = _source(p, client)
    disclosure = disclosure_record(actor=p.you, client=client, what="Name and phone.", recipient="BIS (Trust)",
                                   basis="Consent covers this.", source=source)
    assert (disclosure.source_type, disclosure.source_id) == ("services.outboundreferral", source.pk)
    event = AuditEvent.objects.get(object_id=str(disclosure.pk))
    assert event.action == AuditAction.CREATE and event.client_id == client.pk


def test_what_to_whom_and_the_basis_are_all_needed(personas):
    p = personas
    client = p.client_of(p.you)
    with pytest.raises(ValidationFailed) as refused:
        disclosure_record(actor=p.you, client=client, what=" ", recipient="", basis="", source=_source(p, client))
    assert set(refused.value.field_errors) == {"what", "recipient", "basis"}
    assert not Disclosure.objects.exists()


def test_only_those_who_see_the_client_see_the_log(personas):
    p = personas
    client = p.client_of(p.you)
    disclosure_record(actor=p.you, client=client, what="Name.", recipient="BIS", basis="Consent.",
                      source=_source(p, client))
    for user in (p.you, p.teammate, p.manager):
        assert disclosures_for(user, client).count() == 1
    for user in (p.other_caseworker, p.other_manager, p.report_viewer):
        assert not disclosures_for(user, client).exists()
