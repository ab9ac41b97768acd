"""A case that came from a referral gives the eligibility rules its source and date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.core.testing import Personas
from keyworker.funding.rules import Facts, Rule, evaluate
from keyworker.funding.selectors import eligibility_for, facts_for
from keyworker.intake.models import Referral, ReferralSource

pytestmark = pytest.mark.django_db


def _referral_for(case, *, source: str, days_ago: int) -> Referral:
    client = case.client
    return Referral.objects.create(
        source=source,
        received_at=timezone.now() - dt.timedelta(days=days_ago),
        reason="Wants out.",
        first_name=client.first_name,
        last_name=client.last_name,
        team=case.team,
        client=client,
        case=case,
        received_by=case.keyworker,
    )


def test_facts_take_the_referral_source_and_date(personas: Personas):
    person = personas.client_of(personas.you)
    case = person.cases.get()
    _referral_for(case, source=ReferralSource.PROBATION, days_ago=10)
    facts = facts_for(person, case, as_at=timezone.localdate())
    assert facts.referral_source == "probation"
    assert facts.referred_on == timezone.localdate() - dt.timedelta(days=10)


def test_source_rule_now_decides_from_the_referral(personas: Personas):
    person = personas.client_of(personas.you)
    case = person.cases.get()
    _referral_for(case, source=ReferralSource.SELF, days_ago=1)
    rule = Rule(kind="referral_source", parameters={"sources": ["probation", "prison"]})
    verdict = evaluate([rule], facts_for(person, case, as_at=timezone.localdate()))
    assert not verdict.eligible
    assert "self-referral" in verdict.reasons[0] and "probation" in verdict.reasons[0]
    client, _, results = eligibility_for(personas.you, person.pk, case.pk)
    assert client == person and isinstance(results, list)


def test_every_intake_source_is_known_to_the_rules():
    for value in ReferralSource.values:
        verdict = evaluate(
            [Rule(kind="referral_source", parameters={"sources": [value]})],
            Facts(as_at=timezone.localdate(), referral_source=value),
        )
        assert verdict.eligible, value


def test_the_referral_page_shows_eligibility_with_reasons(client, personas: Personas):
    from django.urls import reverse

    from keyworker.funding.services import eligibility_rule_add, funder_create, funding_stream_create
    from keyworker.intake.services import referral_receive

    funder = funder_create(actor=personas.manager, name="London Violence Fund")
    stream = funding_stream_create(
        actor=personas.manager,
        funder=funder,
        name="Boys to Men",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        places=3,
    )
    eligibility_rule_add(actor=personas.manager, stream=stream, kind="gender", parameters={"genders": ["male"]})
    referral = referral_receive(
        actor=personas.you,
        source=ReferralSource.SELF,
        reason="Scared; wants out.",
        first_name="Kayla",
        last_name="Example",
        gender="female",
    )
    client.force_login(personas.you)
    html = client.get(reverse("intake:referral_detail", args=[referral.pk])).content.decode()
    assert "Funding eligibility" in html and "Boys to Men" in html and "not eligible" in html
