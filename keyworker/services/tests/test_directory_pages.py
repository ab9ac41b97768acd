"""Services directory pages by role: casework staff read and edit, the safeguarding lead reads, everyone
else finds no such page; search by words, kind and area; forms refuse bad input and change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyworker.accounts.models import Role
from keyworker.core.testing import OrganisationFactory, ServiceFactory, UserFactory
from keyworker.services.models import Organisation, Service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_directory(db):
    Service.objects.all().delete()
    Organisation.objects.all().delete()


def _people(p):
    return {
        "caseworker": p.you,
        "manager": p.manager,
        "on-call worker": UserFactory(email="oncall@d.test", role=Role.ON_CALL, team=None),
        "peer mentor": UserFactory(email="mentor@d.test", role=Role.PEER_MENTOR, team=p.team),
        "safeguarding lead": UserFactory(email="sg@d.test", role=Role.SAFEGUARDING_LEAD, team=None),
        "data protection officer": UserFactory(email="dpo@d.test", role=Role.DATA_PROTECTION_OFFICER, team=None),
        "report viewer": p.report_viewer,
    }


READERS = {"caseworker", "manager", "on-call worker", "safeguarding lead"}
EDITORS = {"caseworker", "manager", "on-call worker"}


def test_directory_pages_by_role(client, personas):
    service = ServiceFactory(name="Brief Intervention Service")
    organisation = service.organisation
    reading = [
        reverse("services:service_list"),
        reverse("services:service_detail", args=[service.pk]),
        reverse("services:organisation_detail", args=[organisation.pk]),
    ]
    editing = [
        reverse("services:service_edit", args=[service.pk]),
        reverse("services:service_new", args=[organisation.pk]),
        reverse("services:organisation_new"),
        reverse("services:organisation_edit", args=[organisation.pk]),
    ]
    for role, user in _people(personas).items():
        client.force_login(user)
        for url in reading:
            assert client.get(url).status_code == (200 if role in READERS else 404), (role, url)
        for url in editing:
            assert client.get(url).status_code == (200 if role in EDITORS else 404), (role, url)
        # Nobody who may not edit can post a change.
        response = client.post(reverse("services:service_edit", args=[service.pk]), {"name": "Hacked"})
        assert (response.status_code == 404) == (role not in EDITORS)
    assert Service.objects.get().name == "Brief Intervention Service"
    client.logout()
    for url in reading + editing:
        response = client.get(url)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_search_page(client, personas, django_assert_max_num_queries):
    bis = ServiceFactory(name="Brief Intervention Service", area_covered="Lambeth", description="Cannabis support")
    ServiceFactory(name="Croydon Housing Advice", category="housing", area_covered="Croydon")
    line = ServiceFactory(name="Domestic abuse line", category="domestic_abuse", is_national=True, is_helpline=True)
    for i in range(10):
        ServiceFactory(name=f"Filler {i}", organisation=OrganisationFactory(name=f"Org {i}"))
    client.force_login(personas.you)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("services:service_list"), {"area": "lambeth"}).content.decode()
    assert bis.name in page and line.name in page and "Croydon Housing Advice" not in page
    assert page.index(line.name) < page.index(bis.name)  # helplines first
    page = client.get(reverse("services:service_list"), {"q": "cannabis"}, HTTP_HX_REQUEST="true").content.decode()
    assert bis.name in page and "Filler" not in page and "<html" not in page  # the results block only
    page = client.get(reverse("services:service_list"), {"q": "abuse"}, HTTP_HX_REQUEST="true").content.decode()
    assert line.name in page and "Helpline" in page


def test_add_an_organisation_and_a_service(client, personas):
    client.force_login(personas.you)
    response = client.post(reverse("services:organisation_new"), {"name": "Lambeth Recovery Trust", "is_active": "on"})
    organisation = Organisation.objects.get()
    assert response.status_code == 302
    response = client.post(
        reverse("services:service_new", args=[organisation.pk]),
        {"name": "Brief Intervention Service", "category": "drugs_alcohol", "referral_method": "form",
         "area_covered": "Lambeth", "is_active": "on"},
    )
    service = Service.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("services:service_detail", args=[service.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Brief Intervention Service" in page and "Lambeth Recovery Trust" in page


def test_bad_input_is_shown_and_nothing_is_saved(client, personas):
    organisation = OrganisationFactory(name="Lambeth Recovery Trust")
    client.force_login(personas.you)
    response = client.post(
        reverse("services:service_new", args=[organisation.pk]),
        {"name": "Somewhere", "category": "drugs_alcohol", "referral_method": "form"},
    )
    assert response.status_code == 422
    assert "Enter the area it covers" in response.content.decode()
    assert not Service.objects.exists()
    response = client.post(reverse("services:organisation_new"), {"name": "lambeth recovery trust"})
    assert response.status_code == 422 and "already has an organisation" in response.content.decode()
    assert Organisation.objects.count() == 1


def test_a_stale_edit_is_refused_with_a_clear_message(client, personas):
    service = ServiceFactory(name="Brief Intervention Service", area_covered="Lambeth")
    client.force_login(personas.you)
    form = {"name": "Brief Intervention Service", "category": "drugs_alcohol", "referral_method": "form",
            "area_covered": "Lambeth", "is_active": "on", "phone": "020 0000 0001", "version": service.version}
    assert client.post(reverse("services:service_edit", args=[service.pk]), form).status_code == 302
    form["phone"] = "020 0000 0002"
    response = client.post(reverse("services:service_edit", args=[service.pk]), form)
    assert response.status_code == 409 and "Someone else changed this record" in response.content.decode()
    assert Service.objects.get().phone == "020 0000 0001"
