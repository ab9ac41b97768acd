"""The safety profile: recording and ending unsafe areas and keep-apart pairs (services), and the client's
safety page by persona, including a pair that only staff who can see both people ever see listed."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotFound, ValidationFailed
from keyworker.core.testing import Personas, signed_in
from keyworker.safeguarding.models import AccessRuleKind, AreaKind, KeepApart, UnsafeArea
from keyworker.safeguarding.services import (
    access_rule_set,
    keep_apart_end,
    keep_apart_record,
    unsafe_area_add,
    unsafe_area_end,
)

pytestmark = pytest.mark.django_db

FORBIDDEN_WORDS = ("gang", "rival", "enemy", "enemies", "postcode war", "affiliat")


def _area(actor, client, **fields):
    values = {
        "kind": AreaKind.POSTCODE_DISTRICT,
        "area": "se15 4ab",
        "reason": "Threatened near the estate",
        "source": "The client",
    }
    return unsafe_area_add(actor=actor, client=client, **(values | fields))


# ------------------------------------------------------------------------------------------- services


def test_unsafe_area_is_kept_normalised_and_audited(personas: Personas):
    dan = personas.client_of(personas.you)
    district = _area(personas.you, dan)
    borough = _area(personas.you, dan, kind=AreaKind.BOROUGH, area="  tower   Hamlets ")
    assert (district.area, borough.area) == ("SE15", "tower Hamlets")
    events = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="safeguarding.unsafearea")
    assert {(e.object_id, e.client_id) for e in events} == {(str(district.pk), dan.pk), (str(borough.pk), dan.pk)}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"area": "not a postcode"}, "area"),
        ({"area": ""}, "area"),
        ({"kind": AreaKind.BOROUGH, "area": "   "}, "area"),
        ({"kind": "estate"}, "kind"),
        ({"reason": "  "}, "reason"),
        ({"source": ""}, "source"),
    ],
)
def test_bad_unsafe_area_is_refused_and_nothing_saved(personas: Personas, fields, field):
    dan = personas.client_of(personas.you)
    with pytest.raises(ValidationFailed) as refused:
        _area(personas.you, dan, **fields)
    assert field in refused.value.field_errors
    assert not UnsafeArea.objects.exists()
    assert not AuditEvent.objects.filter(object_type="safeguarding.unsafearea").exists()


def test_the_same_area_twice_is_refused_but_an_ended_one_can_be_added_again(personas: Personas):
    dan = personas.client_of(personas.you)
    first = _area(personas.you, dan, kind=AreaKind.BOROUGH, area="Southwark")
    with pytest.raises(ValidationFailed):
        _area(personas.you, dan, kind=AreaKind.BOROUGH, area="SOUTHWARK")
    unsafe_area_end(actor=personas.you, unsafe_area=first, expected_version=first.version)
    _area(personas.you, dan, kind=AreaKind.BOROUGH, area="Southwark")
    assert UnsafeArea.objects.filter(client=dan).count() == 2


def test_only_someone_who_can_see_the_client_records_an_area(personas: Personas):
    dan = personas.client_of(personas.you)
    for outsider in (personas.other_caseworker, personas.other_manager, personas.report_viewer):
        with pytest.raises(NotFound):
            _area(outsider, dan)
    assert not UnsafeArea.objects.exists()


def test_ending_an_area(personas: Personas):
    dan = personas.client_of(personas.you)
    area = _area(personas.you, dan)
    stale = area.version
    with pytest.raises(NotFound):
        unsafe_area_end(actor=personas.other_caseworker, unsafe_area=area, expected_version=stale)
    unsafe_area_end(actor=personas.teammate, unsafe_area=area, expected_version=stale)
    area.refresh_from_db()
    assert area.ended_on == timezone.localdate()
    with pytest.raises(ValidationFailed):
        unsafe_area_end(actor=personas.you, unsafe_area=area, expected_version=area.version)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(area.pk), client_id=dan.pk).count() == 1


def test_ending_an_area_someone_else_changed_is_a_concurrent_edit(personas: Personas):
    dan = personas.client_of(personas.you)
    area = _area(personas.you, dan)
    UnsafeArea.objects.filter(pk=area.pk).update(version=area.version + 1)
    with pytest.raises(ConcurrentEdit):
        unsafe_area_end(actor=personas.you, unsafe_area=area, expected_version=area.version)
    area.refresh_from_db()
    assert area.ended_on is None


def test_keep_apart_is_one_ordered_pair_audited_for_both(personas: Personas):
    dan = personas.client_of(personas.you)
    marcus = personas.client_of(personas.teammate)
    pair = keep_apart_record(actor=personas.you, client=dan, other=marcus, reason="Fight on the wing", source="HMP")
    assert pair.client_a_id < pair.client_b_id
    assert {pair.client_a_id, pair.client_b_id} == {dan.pk, marcus.pk}
    audited = AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(pair.pk))
    assert {e.client_id for e in audited} == {dan.pk, marcus.pk} and audited.count() == 2
    # The same pair from the other side is the same pair.
    with pytest.raises(ValidationFailed) as refused:
        keep_apart_record(actor=personas.you, client=marcus, other=dan, reason="Again", source="HMP")
    assert "other" in refused.value.field_errors
    assert KeepApart.objects.count() == 1


@pytest.mark.parametrize(("reason", "source", "field"), [("", "HMP", "reason"), ("Fight", " ", "source")])
def test_keep_apart_needs_a_reason_and_a_source(personas: Personas, reason, source, field):
    dan = personas.client_of(personas.you)
    marcus = personas.client_of(personas.teammate)
    with pytest.raises(ValidationFailed) as refused:
        keep_apart_record(actor=personas.you, client=dan, other=marcus, reason=reason, source=source)
    assert field in refused.value.field_errors
    assert not KeepApart.objects.exists()


def test_keep_apart_needs_both_people_in_reach_and_two_people(personas: Personas):
    dan = personas.client_of(personas.you)
    theirs = personas.client_of(personas.other_caseworker)
    with pytest.raises(NotFound):
        keep_apart_record(actor=personas.you, client=dan, other=theirs, reason="Fight", source="Police")
    with pytest.raises(ValidationFailed):
        keep_apart_record(actor=personas.you, client=dan, other=dan, reason="Fight", source="Police")
    assert not KeepApart.objects.exists()
    assert not AuditEvent.objects.filter(object_type="safeguarding.keepapart").exists()


def test_ending_a_pair_needs_both_in_reach_and_is_audited_for_both(personas: Personas):
    dan = personas.client_of(personas.you)
    marcus = personas.client_of(personas.teammate)
    pair = keep_apart_record(actor=personas.manager, client=dan, other=marcus, reason="Fight", source="HMP")
    access_rule_set(
        actor=personas.manager,
        client=marcus,
        kind=AccessRuleKind.EXCLUSION,
        staff=[personas.you],
        reason="Family connection to this worker.",
    )
    with pytest.raises(NotFound):
        keep_apart_end(actor=personas.you, pair=pair, expected_version=pair.version)
    keep_apart_end(actor=personas.manager, pair=pair, expected_version=pair.version)
    pair.refresh_from_db()
    assert pair.ended_on == timezone.localdate()
    updates = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(pair.pk))
    assert {e.client_id for e in updates} == {dan.pk, marcus.pk} and updates.count() == 2


# ---------------------------------------------------------------------------------------------- the page


def test_safety_page_by_persona(personas: Personas):
    dan = personas.client_of(personas.you, first_name="Dan", last_name="Okafor")
    _area(personas.you, dan)
    url = reverse("safeguarding:client_safety", args=[dan.pk])
    for allowed in (personas.you, personas.teammate, personas.manager):
        response = signed_in(allowed).get(url)
        assert response.status_code == 200, allowed
        assert "SE15" in response.text and "Threatened near the estate" in response.text
    for refused in (personas.other_caseworker, personas.other_manager, personas.report_viewer):
        assert signed_in(refused).get(url).status_code == 404, refused
        assert signed_in(refused).post(url, {"action": "area", "area-kind": "borough"}).status_code == 404
    anonymous = HttpClient().get(url)
    assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, client_id=dan.pk, actor=personas.you).exists()


def test_the_client_page_links_to_the_safety_page_and_no_page_labels_anyone(personas: Personas):
    dan = personas.client_of(personas.you)
    page = signed_in(personas.you).get(reverse("people:client_detail", args=[dan.pk])).text
    assert reverse("safeguarding:client_safety", args=[dan.pk]) in page
    safety = signed_in(personas.you).get(reverse("safeguarding:client_safety", args=[dan.pk])).text.lower()
    assert "Safety: areas and people to keep apart".lower() in safety
    for word in FORBIDDEN_WORDS:
        assert word not in safety


def test_adding_an_area_on_the_page(personas: Personas):
    dan = personas.client_of(personas.you)
    url = reverse("safeguarding:client_safety", args=[dan.pk])
    http = signed_in(personas.you)
    bad = http.post(url, {"action": "area", "area-kind": "postcode_district", "area-area": "nowhere"})
    assert bad.status_code == 422
    assert "Enter a postcode district like SE15" in bad.text and "Say why it is unsafe for them" in bad.text
    assert not UnsafeArea.objects.exists()
    good = http.post(
        url,
        {
            "action": "area",
            "area-kind": "borough",
            "area-area": "Southwark",
            "area-reason": "Police advice after an assault",
            "area-source": "Police",
        },
    )
    assert good.status_code == 302
    assert UnsafeArea.objects.get(client=dan).area == "Southwark"
    area = UnsafeArea.objects.get(client=dan)
    end_url = reverse("safeguarding:unsafe_area_end", args=[area.pk])
    assert signed_in(personas.other_caseworker).post(end_url, {"version": area.version}).status_code == 404
    assert http.post(end_url, {"version": area.version}).status_code == 302
    area.refresh_from_db()
    assert area.ended_on == timezone.localdate()


def test_choosing_someone_to_keep_apart_searches_only_people_you_can_see(personas: Personas):
    dan = personas.client_of(personas.you, first_name="Dan", last_name="Okafor")
    marcus = personas.client_of(personas.teammate, first_name="Marcus", last_name="Zedlan")
    personas.client_of(personas.other_caseworker, first_name="Marvin", last_name="Zedlan")
    url = reverse("safeguarding:client_safety", args=[dan.pk])
    http = signed_in(personas.you)
    found = http.get(url, {"q": "Zedlan"}).text
    assert "Marcus Zedlan" in found and "Marvin" not in found
    missing = http.post(url, {"action": "keep_apart", "q": "Zedlan", "pair-reason": "Fight", "pair-source": "HMP"})
    assert missing.status_code == 422 and "Choose the person from the search results" in missing.text
    theirs = personas.client_of(personas.other_caseworker)
    sneaky = http.post(
        url, {"action": "keep_apart", "q": "x", "pair-other": str(theirs.pk), "pair-reason": "F", "pair-source": "H"}
    )
    assert sneaky.status_code == 422
    assert not KeepApart.objects.exists()
    saved = http.post(
        url,
        {
            "action": "keep_apart",
            "q": "Zedlan",
            "pair-other": str(marcus.pk),
            "pair-reason": "Fight on the wing",
            "pair-source": "HMP Brixton",
        },
    )
    assert saved.status_code == 302
    pair = KeepApart.objects.get()
    assert {pair.client_a_id, pair.client_b_id} == {dan.pk, marcus.pk}
    # Listed on both people's pages.
    assert "Marcus Zedlan" in http.get(url).text
    assert "Dan Okafor" in http.get(reverse("safeguarding:client_safety", args=[marcus.pk])).text


def test_a_pair_is_listed_only_to_staff_who_can_see_both_people(personas: Personas, django_assert_max_num_queries):
    dan = personas.client_of(personas.you, first_name="Dan", last_name="Okafor")
    marcus = personas.client_of(personas.teammate, first_name="Marcus", last_name="Zedlan")
    keep_apart_record(actor=personas.manager, client=dan, other=marcus, reason="Stabbing in 2025", source="Police")
    access_rule_set(
        actor=personas.manager,
        client=marcus,
        kind=AccessRuleKind.EXCLUSION,
        staff=[personas.you],
        reason="Family connection to this worker.",
    )
    url = reverse("safeguarding:client_safety", args=[dan.pk])
    managers_http = signed_in(personas.manager)
    with django_assert_max_num_queries(20):
        managers_view = managers_http.get(url).text
    assert "Marcus Zedlan" in managers_view and "Stabbing in 2025" in managers_view
    yours = signed_in(personas.you).get(url)
    assert yours.status_code == 200
    for leak in ("Marcus", "Zedlan", "Stabbing", str(marcus.pk), marcus.cases.get().reference):
        assert leak not in yours.text
    pair = KeepApart.objects.get()
    end_url = reverse("safeguarding:keep_apart_end", args=[pair.pk])
    assert signed_in(personas.you).post(end_url, {"version": pair.version}).status_code == 404
    pair.refresh_from_db()
    assert pair.ended_on is None
