"""The services directory: the national helplines seed, search, and the audited edits (no client on them)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.testing import OrganisationFactory, ServiceFactory
from keyworker.services.directory_seed import HELPLINES
from keyworker.services.models import Organisation, Service, ServiceCategory
from keyworker.services.selectors.directory import service_search_for
from keyworker.services.services.directory import (
    organisation_create,
    organisation_update,
    service_create,
    service_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_directory(db):
    # The migration's seed is there on some databases and flushed on others: start every test without it.
    Service.objects.all().delete()
    Organisation.objects.all().delete()


def _seed() -> None:
    importlib.import_module("keyworker.services.migrations.0002_seed_directory").seed(apps, None)


def test_the_seed_loads_the_national_helplines_once(db):
    _seed()
    _seed()  # a second run adds nothing
    assert Service.objects.count() == len(HELPLINES)
    helpline = Service.objects.get(name="National Domestic Abuse Helpline")
    assert helpline.organisation.name == "Refuge" and helpline.phone == "0808 2000 247"
    assert helpline.is_national and helpline.is_helpline and helpline.referral_method == "self"
    assert Service.objects.get(name="Samaritans helpline").phone == "116 123"
    assert Service.objects.get(name="Men's Advice Line").organisation.name == "Respect"
    assert all(s.area_covered == "National" for s in Service.objects.all())


def test_search_by_words_kind_and_area_with_national_services_always_covering(personas):
    p = personas
    bis = ServiceFactory(
        name="Brief Intervention Service",
        organisation=OrganisationFactory(name="Lambeth Recovery Trust"),
        category=ServiceCategory.DRUGS_ALCOHOL,
        area_covered="Lambeth, Southwark",
        description="Short, focused support for cannabis and alcohol use.",
    )
    croydon = ServiceFactory(name="Croydon Housing Advice", category=ServiceCategory.HOUSING, area_covered="Croydon")
    national = ServiceFactory(
        name="Domestic abuse line", category=ServiceCategory.DOMESTIC_ABUSE, is_national=True, is_helpline=True,
        area_covered="National",
    )
    ServiceFactory(name="Closed service", is_active=False)

    def names(**kwargs):
        return [s.name for s in service_search_for(p.you, **kwargs)]

    assert names(words="cannabis") == [bis.name]  # the description
    assert names(words="recovery trust") == [bis.name]  # the organisation, every word
    assert names(category=ServiceCategory.HOUSING) == [croydon.name]
    assert names(area="southwark") == [national.name, bis.name]  # helplines first
    assert names(area="Croydon") == [national.name, croydon.name]
    assert "Closed service" not in names()
    assert names(words="nothing-matches") == []


def test_people_with_no_directory_find_nothing(personas):
    ServiceFactory()
    assert not service_search_for(personas.report_viewer).exists()


def test_organisation_and_service_edits_are_audited_without_a_client(personas):
    p = personas
    organisation = organisation_create(actor=p.you, name=" Lambeth Recovery Trust ", phone="020 7946 0000")
    assert organisation.name == "Lambeth Recovery Trust"
    service = service_create(
        actor=p.you, organisation=organisation, name="Brief Intervention Service", category="drugs_alcohol",
        area_covered="Lambeth",
    )
    service_update(actor=p.you, service=service, expected_version=service.version, opening_hours="Mon-Fri 9-5")
    organisation_update(actor=p.you, organisation=organisation, expected_version=organisation.version,
                        website="https://example.org")
    events = AuditEvent.objects.filter(object_type__in=["services.service", "services.organisation"])
    assert sorted(events.values_list("action", flat=True)) == sorted(
        [AuditAction.CREATE, AuditAction.CREATE, AuditAction.UPDATE, AuditAction.UPDATE]
    )
    assert all(e.client_id is None for e in events)
    assert Service.objects.get().opening_hours == "Mon-Fri 9-5"


def test_bad_input_and_stale_edits_are_refused_and_change_nothing(personas):
    p = personas
    organisation = organisation_create(actor=p.you, name="Lambeth Recovery Trust")
    with pytest.raises(ValidationFailed) as refused:
        organisation_create(actor=p.you, name="lambeth recovery trust")
    assert "name" in refused.value.field_errors
    with pytest.raises(ValidationFailed) as refused:
        service_create(actor=p.you, organisation=organisation, name="", category="astrology")
    assert {"name", "category", "area_covered"} <= set(refused.value.field_errors)
    national = service_create(actor=p.you, organisation=organisation, name="Line", category="other", is_national=True)
    assert national.area_covered == "National"
    stale = Service.objects.get(pk=national.pk)
    service_update(actor=p.you, service=national, expected_version=national.version, phone="0800 000 000")
    with pytest.raises(ConcurrentEdit):
        service_update(actor=p.teammate, service=stale, expected_version=stale.version, phone="0800 111 111")
    assert Service.objects.get().phone == "0800 000 000"
    assert Organisation.objects.count() == 1


def test_only_casework_staff_edit_the_directory(personas):
    p = personas
    with pytest.raises(NotAllowed):
        organisation_create(actor=p.report_viewer, name="Anything")
    assert not Organisation.objects.filter(name="Anything").exists()
