"""Referral services: receiving, contact attempts, the lifecycle, and accepting with the duplicate check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Case, Programme
from keyworker.core.errors import ConcurrentEdit, NotAllowed, NotFound, ValidationFailed
from keyworker.core.testing import Personas
from keyworker.intake import services
from keyworker.intake.models import Referral, ReferralSource, ReferralStatus, Urgency
from keyworker.intake.selectors import possible_duplicates_of, referral_get_for, referral_list_for
from keyworker.people.models import Client
from keyworker.safeguarding.models import AccessRule, AccessRuleKind

pytestmark = pytest.mark.django_db
DOB = dt.date(2003, 5, 9)


def receive(p: Personas, **overrides: Any) -> Referral:
    fields: dict[str, Any] = {
        "actor": p.you,
        "source": ReferralSource.SELF,
        "reason": "Wants to leave a group that is forming; scared of what they will do.",
        "first_name": "Kayla",
        "last_name": "Mensah",
        "date_of_birth": DOB,
        "gender": "female",
        "urgency": Urgency.URGENT,
        "may_leave_voicemail": False,
        "may_phone": False,
        "may_text": True,
        "code_word": "bluebird",
        "safe_contact_note": "Text only; her brother answers her phone.",
        "home_area": "Lambeth",
    }
    fields.update(overrides)
    return services.referral_receive(**fields)


def test_receive_records_the_referral_and_its_first_step(personas: Personas):
    referral = receive(personas)
    assert referral.team == personas.team
    assert referral.status == ReferralStatus.RECEIVED
    [step] = referral.steps.all()
    assert step.status == ReferralStatus.RECEIVED and step.occurred_at == referral.received_at
    event = AuditEvent.objects.get(object_id=str(referral.pk), action=AuditAction.CREATE)
    assert "Kayla" not in str(event.detail)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_name": "  "}, "first_name"),
        ({"reason": ""}, "reason"),
        ({"source": "rumour"}, "source"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"source": ReferralSource.PROBATION}, "referrer_name"),
    ],
)
def test_receive_refuses_bad_input_and_changes_nothing(personas: Personas, overrides: dict[str, Any], field: str):
    with pytest.raises(ValidationFailed) as exc:
        receive(personas, **overrides)
    assert field in exc.value.field_errors
    assert not Referral.objects.exists()


def test_professional_referral_names_the_referrer(personas: Personas):
    referral = receive(
        personas,
        source=ReferralSource.PROBATION,
        referrer_name="Pat Officer",
        referrer_organisation="Probation, Lambeth",
        referrer_contact="020 7946 0000",
    )
    assert referral.get_source_display() == "Probation"


def test_receive_refuses_the_future_and_other_teams(personas: Personas):
    with pytest.raises(ValidationFailed):
        receive(personas, received_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(NotAllowed):
        receive(personas, team=personas.other_team)
    with pytest.raises(NotAllowed):
        receive(personas, actor=personas.report_viewer)
    assert not Referral.objects.exists()


def test_only_the_receiving_team_sees_referrals(personas: Personas):
    referral = receive(personas)
    for user in (personas.you, personas.teammate, personas.manager):
        assert referral_get_for(user, referral.pk) == referral
        assert referral in referral_list_for(user)
    for user in (personas.other_caseworker, personas.other_manager, personas.report_viewer):
        with pytest.raises(NotFound):
            referral_get_for(user, referral.pk)
        assert not referral_list_for(user).exists()
    with pytest.raises(NotAllowed):
        services.referral_set_status(actor=personas.other_caseworker, referral=referral, status=ReferralStatus.ASSESSED)


def test_list_puts_urgent_first_and_leaves_closed_out(personas: Personas):
    now = timezone.now()
    routine = receive(personas, urgency=Urgency.ROUTINE, received_at=now - dt.timedelta(days=3))
    urgent = receive(personas, urgency=Urgency.URGENT, received_at=now - dt.timedelta(hours=1))
    declined = receive(personas, urgency=Urgency.URGENT)
    services.referral_set_status(
        actor=personas.you, referral=declined, status=ReferralStatus.DECLINED, reason="Lives out of area."
    )
    assert list(referral_list_for(personas.you)) == [urgent, routine]
    assert declined in referral_list_for(personas.you, open_only=False)


def test_first_contact_is_set_once_and_measured(personas: Personas):
    received = timezone.now() - dt.timedelta(hours=30)
    referral = receive(personas, received_at=received)
    first = received + dt.timedelta(hours=3)
    services.referral_record_contact_attempt(actor=personas.you, referral=referral, occurred_at=first, note="Texted")
    services.referral_record_contact_attempt(actor=personas.teammate, referral=referral, note="Texted again")
    referral.refresh_from_db()
    assert referral.first_contact_at == first
    assert referral.status == ReferralStatus.CONTACT_ATTEMPTED
    from keyworker.intake.rules import hours_to_first_contact

    assert hours_to_first_contact(referral.received_at, referral.first_contact_at) == 3
    assert [s.status for s in referral.steps.all()] == ["received", "contact_attempted", "contact_attempted"]


def test_contact_attempt_before_the_referral_is_refused(personas: Personas):
    referral = receive(personas, received_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ValidationFailed):
        services.referral_record_contact_attempt(
            actor=personas.you, referral=referral, occurred_at=referral.received_at - dt.timedelta(minutes=5)
        )
    referral.refresh_from_db()
    assert referral.first_contact_at is None and referral.steps.count() == 1


def test_lifecycle_with_dated_steps_and_reasons(personas: Personas):
    referral = receive(personas)
    services.referral_set_status(actor=personas.you, referral=referral, status=ReferralStatus.ASSESSED)
    services.referral_set_status(actor=personas.you, referral=referral, status=ReferralStatus.WAITING_LIST)
    with pytest.raises(ValidationFailed) as exc:
        services.referral_set_status(actor=personas.you, referral=referral, status=ReferralStatus.WITHDRAWN)
    assert "reason" in exc.value.field_errors
    services.referral_set_status(
        actor=personas.manager, referral=referral, status=ReferralStatus.WITHDRAWN, reason="Moved to Leeds."
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN and referral.status_reason == "Moved to Leeds."
    steps = list(referral.steps.all())
    assert [s.status for s in steps] == ["received", "assessed", "waiting_list", "withdrawn"]
    assert steps[-1].recorded_by == personas.manager and steps[-1].note == "Moved to Leeds."
    with pytest.raises(ValidationFailed):  # final
        services.referral_set_status(actor=personas.you, referral=referral, status=ReferralStatus.ASSESSED)
    with pytest.raises(ValidationFailed):
        services.referral_record_contact_attempt(actor=personas.you, referral=referral)


def test_a_stale_form_is_a_concurrent_edit(personas: Personas):
    referral = receive(personas)
    seen = referral.version
    services.referral_set_status(actor=personas.teammate, referral=referral, status=ReferralStatus.ASSESSED)
    with pytest.raises(ConcurrentEdit):
        services.referral_set_status(
            actor=personas.you,
            referral=referral,
            status=ReferralStatus.DECLINED,
            reason="Not for us",
            expected_version=seen,
        )


# --- accepting ---------------------------------------------------------------------------------------------


def test_accept_creates_client_and_case_in_one_step(personas: Personas):
    referral = receive(personas)
    case = services.referral_accept(
        actor=personas.you, referral=referral, programme=Programme.WOMEN_AND_GIRLS, keyworker=personas.you
    )
    referral.refresh_from_db()
    client = case.client
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.client == client and referral.case == case
    assert case.team == personas.team and case.keyworker == personas.you and case.reference.startswith("KW-")
    assert (client.first_name, client.last_name, client.date_of_birth) == ("Kayla", "Mensah", DOB)
    assert (client.may_phone, client.may_text, client.may_leave_voicemail) == (False, True, False)
    assert client.code_word == "bluebird" and "brother" in client.safe_contact_note
    last_step = referral.steps.last()
    assert last_step is not None and last_step.status == ReferralStatus.ACCEPTED
    assert AuditEvent.objects.filter(object_id=str(referral.pk), client_id=client.pk).exists()
    assert AuditEvent.objects.filter(object_id=str(client.pk), action=AuditAction.CREATE).exists()


def test_a_failed_accept_changes_nothing(personas: Personas):
    referral = receive(personas)
    with pytest.raises(ValidationFailed):  # the keyworker is in another team: case_open refuses after the client
        services.referral_accept(
            actor=personas.you, referral=referral, programme=Programme.GANG_EXIT, keyworker=personas.other_caseworker
        )
    assert not Client.objects.filter(first_name="Kayla").exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED and referral.client is None


def test_possible_duplicates_stop_a_new_client(personas: Personas):
    known = personas.client_of(personas.teammate, first_name="Kaylah", last_name="Mensah", date_of_birth=DOB)
    referral = receive(personas, date_of_birth=dt.date(2003, 9, 5))  # day and month swapped
    with pytest.raises(services.PossibleDuplicates) as exc:
        services.referral_accept(actor=personas.you, referral=referral, programme=Programme.GANG_EXIT)
    assert exc.value.visible == [known] and not exc.value.hidden
    assert "Kaylah Mensah" in exc.value.message
    assert services.HIDDEN_MATCH_MESSAGE not in exc.value.message
    assert Client.objects.count() == 1

    case = services.referral_accept(
        actor=personas.you, referral=referral, programme=Programme.GANG_EXIT, existing_client=known
    )
    assert case.client == known
    assert case == known.cases.get()  # already open in the team: no second case
    assert Client.objects.count() == 1


def test_confirm_new_creates_a_client_despite_a_match(personas: Personas):
    personas.client_of(personas.teammate, first_name="Kayla", last_name="Mensah", date_of_birth=DOB)
    referral = receive(personas)
    case = services.referral_accept(
        actor=personas.you, referral=referral, programme=Programme.GANG_EXIT, confirm_new=True
    )
    assert Client.objects.filter(first_name="Kayla").count() == 2
    assert case.client.referrals.get() == referral


def test_existing_client_elsewhere_gets_a_new_case_in_our_team(personas: Personas):
    known = personas.client_of(personas.you, first_name="Kayla", last_name="Mensah", date_of_birth=DOB)
    Case.objects.filter(client=known).update(team=personas.other_team, keyworker=personas.you)
    referral = receive(personas)
    case = services.referral_accept(
        actor=personas.you, referral=referral, programme=Programme.GANG_EXIT, existing_client=known
    )
    assert case.team == personas.team and known.cases.count() == 2


def test_matches_the_actor_cannot_see_are_never_named(personas: Personas):
    personas.client_of(personas.other_caseworker, first_name="John", last_name="Okoro", date_of_birth=DOB)
    restricted = personas.client_of(personas.teammate, first_name="Jon", last_name="Okoro", date_of_birth=DOB)
    rule = AccessRule.objects.create(
        client=restricted,
        kind=AccessRuleKind.RESTRICTION,
        reason="High profile",
        starts_at=timezone.now(),
        set_by=personas.manager,
    )
    rule.staff.set([personas.manager])
    referral = receive(personas, first_name="Jon", last_name="Okoro")
    with pytest.raises(services.PossibleDuplicates) as exc:
        services.referral_accept(actor=personas.you, referral=referral, programme=Programme.GANG_EXIT)
    assert exc.value.visible == [] and exc.value.hidden
    assert "Okoro" not in exc.value.message and "John" not in exc.value.message
    assert services.HIDDEN_MATCH_MESSAGE in exc.value.message
    with pytest.raises(ValidationFailed):  # cannot pick a client they may not see
        services.referral_accept(
            actor=personas.you, referral=referral, programme=Programme.GANG_EXIT, existing_client=restricted
        )
    # The manager is named on the restriction: they see that match, and only the other team's is hidden.
    with pytest.raises(services.PossibleDuplicates) as exc:
        services.referral_accept(actor=personas.manager, referral=referral, programme=Programme.GANG_EXIT)
    assert exc.value.visible == [restricted] and exc.value.hidden
    assert "John" not in exc.value.message


def test_no_date_of_birth_matches_only_the_exact_name(personas: Personas):
    personas.client_of(personas.teammate, first_name="Kayla", last_name="Mensah", date_of_birth=None)
    personas.client_of(personas.teammate, first_name="Kaylah", last_name="Mensah", date_of_birth=None)
    referral = receive(personas, date_of_birth=None)
    matches = possible_duplicates_of(referral)
    assert [c.first_name for c in matches] == ["Kayla"]


def test_accept_is_for_open_referrals_of_the_team(personas: Personas):
    referral = receive(personas)
    with pytest.raises(NotAllowed):
        services.referral_accept(actor=personas.other_manager, referral=referral, programme=Programme.GANG_EXIT)
    services.referral_set_status(actor=personas.you, referral=referral, status=ReferralStatus.DECLINED, reason="No")
    with pytest.raises(ValidationFailed):
        services.referral_accept(actor=personas.you, referral=referral, programme=Programme.GANG_EXIT)
    with pytest.raises(ValidationFailed):
        services.referral_set_status(actor=personas.you, referral=receive(personas), status=ReferralStatus.ACCEPTED)
