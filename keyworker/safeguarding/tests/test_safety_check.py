"""booking_safety_warnings against the database, with real personas: unsafe areas by postcode district and
borough, and keep-apart pairs that name the other person only to someone who can see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.core.testing import ClientFactory
from keyworker.safeguarding.models import AreaKind, KeepApart, UnsafeArea
from keyworker.safeguarding.safety import booking_safety_warnings

pytestmark = pytest.mark.django_db


def _pair(client, other, recorded_by, reason="Serious conflict between them", **fields):
    a, b = sorted([client, other], key=lambda c: c.pk)
    return KeepApart.objects.create(
        client_a=a, client_b=b, reason=reason, source="Police", recorded_by=recorded_by, **fields
    )


def _area(client, kind, area, recorded_by, reason="Threatened there", **fields):
    return UnsafeArea.objects.create(
        client=client, kind=kind, area=area, reason=reason, source="The client", recorded_by=recorded_by, **fields
    )


def test_other_teams_client_kept_apart_warns_without_naming_them(personas):
    dan = personas.client_of(personas.you, first_name="Dan", last_name="Okafor")
    tyrese = personas.client_of(personas.other_caseworker, first_name="Tyrese", last_name="Quartey", preferred_name="T")
    _pair(dan, tyrese, personas.other_manager, reason="Tyrese Quartey threatened him")

    warnings = booking_safety_warnings(personas.you, dan, others=[tyrese])

    assert warnings == ["Someone booked on this session must be kept apart from Dan Okafor. Speak to your manager."]
    text = " ".join(warnings)
    for word in ("Tyrese", "Quartey", tyrese.cases.get().reference, "threatened"):
        assert word not in text
    # From the other side it is the same: the other team cannot see Dan, so he is not named either.
    assert booking_safety_warnings(personas.other_caseworker, tyrese, others=[dan]) == [
        "Someone booked on this session must be kept apart from Tyrese Quartey (T). Speak to your manager."
    ]


def test_teammates_client_kept_apart_is_named_with_the_reason(personas):
    dan = personas.client_of(personas.you, first_name="Dan", last_name="Okafor")
    mate_client = personas.client_of(personas.teammate, first_name="Marcus", last_name="Bell")
    _pair(dan, mate_client, personas.you, reason="Fight in custody")

    assert booking_safety_warnings(personas.you, dan, others=[mate_client]) == [
        "Dan Okafor must be kept apart from Marcus Bell (Fight in custody)."
    ]


def test_ended_pairs_and_people_not_on_the_booking_do_not_warn(personas):
    dan = personas.client_of(personas.you, first_name="Dan", last_name="Okafor")
    ended = personas.client_of(personas.you)
    absent = personas.client_of(personas.you)
    later = personas.client_of(personas.you)
    bystander = personas.client_of(personas.you)
    today = timezone.localdate()
    _pair(dan, ended, personas.you, ended_on=today)
    _pair(dan, absent, personas.you)
    _pair(dan, later, personas.you, ended_on=today + dt.timedelta(days=3))

    assert booking_safety_warnings(personas.you, dan, others=[ended, bystander, dan]) == []
    assert len(booking_safety_warnings(personas.you, dan, others=[later])) == 1


def test_unsafe_postcode_district_and_borough(personas):
    dan = personas.client_of(personas.you, first_name="Dan", last_name="Okafor")
    _area(dan, AreaKind.POSTCODE_DISTRICT, "SE15", personas.you, reason="Threats near the estate")
    _area(dan, AreaKind.BOROUGH, "Tower Hamlets", personas.you, reason="Police advice")
    _area(dan, AreaKind.BOROUGH, "Croydon", personas.you, ended_on=timezone.localdate())

    assert booking_safety_warnings(personas.you, dan, postcode="se15 4ab") == [
        "Dan Okafor should not be sent to SE15 (Threats near the estate)."
    ]
    assert booking_safety_warnings(personas.you, dan, postcode="SE1 2HU") == []
    assert booking_safety_warnings(personas.you, dan, borough="  tower  hamlets ") == [
        "Dan Okafor should not be sent to Tower Hamlets (Police advice)."
    ]
    assert booking_safety_warnings(personas.you, dan, borough="Croydon") == []
    assert booking_safety_warnings(personas.you, dan) == []
    # Another client's areas are theirs alone.
    assert booking_safety_warnings(personas.you, ClientFactory(), postcode="SE15 4AB") == []
