"""Safety-aware enrolment: an unsafe area or someone to keep apart refuses the booking until a reason is given,
and the warning never names someone the person booking cannot see."""

from __future__ import annotations

import pytest

from keyworker.audit.models import AuditEvent
from keyworker.core.errors import SafetyCheckFailed
from keyworker.core.testing import CohortFactory, CourseSessionFactory, Personas, VenueFactory
from keyworker.people.models import Client
from keyworker.safeguarding.models import AreaKind, KeepApart, UnsafeArea
from keyworker.services.models import Enrolment
from keyworker.services.services import courses as services

pytestmark = pytest.mark.django_db


def _keep_apart(one: Client, two: Client, recorded_by, reason: str = "Conflict between their estates") -> None:
    first, second = sorted((one, two), key=lambda c: c.pk)
    KeepApart.objects.create(client_a=first, client_b=second, reason=reason, source="Police", recorded_by=recorded_by)


def _unsafe(client: Client, area: str, recorded_by, kind: str = AreaKind.POSTCODE_DISTRICT) -> None:
    UnsafeArea.objects.create(
        client=client, kind=kind, area=area, reason="Threats made there", source="The client", recorded_by=recorded_by
    )


def test_kept_apart_from_someone_you_cannot_see(personas: Personas):
    cohort = CohortFactory(venue=VenueFactory(postcode="N1 1AA", borough="Islington"))
    theirs = personas.client_of(personas.other_caseworker, first_name="Dwayne", last_name="Southerly")
    services.enrol(actor=personas.other_caseworker, cohort=cohort, client=theirs)
    yours = personas.client_of(personas.you, first_name="Marcus", last_name="Northway")
    _keep_apart(yours, theirs, personas.other_manager, reason="Dwayne stabbed his cousin")
    events = AuditEvent.objects.count()

    with pytest.raises(SafetyCheckFailed) as caught:
        services.enrol(actor=personas.you, cohort=cohort, client=yours)
    said = " ".join(caught.value.warnings) + caught.value.message
    assert "Marcus" in said and "kept apart" in said
    for leak in ("Dwayne", "Southerly", "stabbed", "cousin"):
        assert leak not in said
    assert not Enrolment.objects.filter(client=yours).exists()
    assert AuditEvent.objects.count() == events  # nothing saved

    enrolment = services.enrol(
        actor=personas.you, cohort=cohort, client=yours, safety_override_reason="Manager agreed; separate rooms"
    )
    assert enrolment.safety_override_reason == "Manager agreed; separate rooms"
    event = AuditEvent.objects.get(object_id=str(enrolment.pk))
    assert event.detail["safety_override_reason"] == "Manager agreed; separate rooms"
    assert event.detail["safety_warnings"] == 1


def test_kept_apart_from_someone_you_can_see_names_them(personas: Personas):
    cohort = CohortFactory(venue=VenueFactory(postcode="N1 1AA", borough="Islington"))
    teammates = personas.client_of(personas.teammate, first_name="Dwayne", last_name="Southerly")
    services.enrol(actor=personas.teammate, cohort=cohort, client=teammates)
    yours = personas.client_of(personas.you, first_name="Marcus", last_name="Northway")
    _keep_apart(yours, teammates, personas.manager)
    with pytest.raises(SafetyCheckFailed) as caught:
        services.enrol(actor=personas.you, cohort=cohort, client=yours)
    assert any("Dwayne" in w and "kept apart" in w for w in caught.value.warnings)


def test_people_who_left_or_are_waiting_do_not_count(personas: Personas):
    cohort = CohortFactory(capacity=1, venue=VenueFactory(postcode="N1 1AA", borough="Islington"))
    holder = services.enrol(actor=personas.you, cohort=cohort, client=personas.client_of(personas.you))
    waiting = personas.client_of(personas.you)
    services.enrol(actor=personas.you, cohort=cohort, client=waiting)
    yours = personas.client_of(personas.you)
    _keep_apart(yours, waiting, personas.manager)
    _keep_apart(yours, holder.client, personas.manager)
    services.enrolment_withdraw(actor=personas.you, enrolment=holder, expected_version=holder.version)
    assert services.enrol(actor=personas.you, cohort=cohort, client=yours).safety_override_reason == ""


def test_an_unsafe_area_venue_warns(personas: Personas):
    cohort = CohortFactory(venue=VenueFactory(postcode="SE15 4QN", borough="Southwark"))
    yours = personas.client_of(personas.you, first_name="Marcus")
    _unsafe(yours, "SE15", personas.you)
    with pytest.raises(SafetyCheckFailed) as caught:
        services.enrol(actor=personas.you, cohort=cohort, client=yours)
    assert any("SE15" in w for w in caught.value.warnings)
    other = personas.client_of(personas.you)
    _unsafe(other, "Southwark", personas.you, kind=AreaKind.BOROUGH)
    with pytest.raises(SafetyCheckFailed):
        services.enrol(actor=personas.you, cohort=cohort, client=other)
    assert not Enrolment.objects.exists()


def test_a_session_at_another_venue_is_checked_too(personas: Personas):
    cohort = CohortFactory(venue=VenueFactory(postcode="N1 1AA", borough="Islington"))
    CourseSessionFactory(
        cohort=cohort, venue=VenueFactory(name="Peckham annexe", postcode="SE15 5AA", borough="Southwark")
    )
    yours = personas.client_of(personas.you)
    _unsafe(yours, "SE15", personas.you)
    with pytest.raises(SafetyCheckFailed) as caught:
        services.enrol(actor=personas.you, cohort=cohort, client=yours)
    assert len(caught.value.warnings) == 1
    kept = services.enrol(actor=personas.you, cohort=cohort, client=yours, safety_override_reason="Escorted there")
    assert kept.safety_override_reason == "Escorted there"


def test_offering_a_place_checks_again(personas: Personas):
    cohort = CohortFactory(capacity=1, venue=VenueFactory(postcode="N1 1AA", borough="Islington"))
    first = services.enrol(actor=personas.you, cohort=cohort, client=personas.client_of(personas.you))
    waiting = services.enrol(actor=personas.you, cohort=cohort, client=personas.client_of(personas.you))
    services.enrolment_withdraw(actor=personas.you, enrolment=first, expected_version=first.version)
    # While they waited, a place was added and taken by someone they must be kept apart from.
    theirs = personas.client_of(personas.other_caseworker, first_name="Dwayne")
    cohort.capacity = 2
    cohort.save()
    services.enrol(actor=personas.other_caseworker, cohort=cohort, client=theirs)
    _keep_apart(waiting.client, theirs, personas.other_manager)
    with pytest.raises(SafetyCheckFailed) as caught:
        services.offer_place(actor=personas.you, enrolment=waiting, expected_version=waiting.version)
    assert all("Dwayne" not in w for w in caught.value.warnings)
    waiting.refresh_from_db()
    assert waiting.status == "waiting"
    offered = services.offer_place(
        actor=personas.you, enrolment=waiting, expected_version=waiting.version, safety_override_reason="Different days"
    )
    assert (offered.status, offered.safety_override_reason) == ("enrolled", "Different days")
