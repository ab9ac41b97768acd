"""Area concerns: name nobody, carry a source and a date, are reviewed and expire."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from keyworker.accounts.models import Role
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.testing import Personas, UserFactory
from keyworker.safeguarding.models import AreaConcern
from keyworker.safeguarding.rules import area_concern_dates, area_concern_reviewed
from keyworker.safeguarding.selectors import area_concerns_for
from keyworker.safeguarding.services import area_concern_record, area_concern_review

pytestmark = pytest.mark.django_db
NEW_GROUP = "A new group of young women is forming around the estate; older boys seen recruiting."


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 1, 1)))
def test_review_comes_before_expiry(day):
    review_by, expires_on = area_concern_dates(day)
    assert day < review_by < expires_on
    assert area_concern_reviewed(review_by, expires_on) <= expires_on


def test_record_and_read_an_area_concern(personas: Personas):
    concern = area_concern_record(actor=personas.you, area="Angell Town estate", summary=NEW_GROUP, source="staff")
    assert concern.review_by == timezone.localdate() + dt.timedelta(days=91)
    assert list(area_concerns_for(personas.other_caseworker)) == [concern]  # places, not people: all teams
    assert list(area_concerns_for(personas.report_viewer)) == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"area": " "}, "area"),
        ({"summary": "gangs"}, "summary"),
        ({"source": "rumour"}, "source"),
        ({"reported_on": timezone.localdate() + dt.timedelta(days=1)}, "reported_on"),
    ],
)
def test_bad_area_concerns_change_nothing(personas: Personas, kwargs, field):
    args = {"area": "Brixton", "summary": NEW_GROUP, "source": "community"} | kwargs
    with pytest.raises(ValidationFailed) as raised:
        area_concern_record(actor=personas.you, **args)
    assert field in raised.value.field_errors
    assert not AreaConcern.objects.exists()


def test_expired_concerns_leave_the_log(personas: Personas):
    old = area_concern_record(
        actor=personas.you,
        area="Brixton",
        summary=NEW_GROUP,
        source="police",
        reported_on=timezone.localdate() - dt.timedelta(days=366),
    )
    assert old not in area_concerns_for(personas.you)
    assert old in area_concerns_for(personas.you, include_expired=True)


def test_review_is_for_managers_and_the_safeguarding_lead(personas: Personas):
    concern = area_concern_record(actor=personas.you, area="Brixton", summary=NEW_GROUP, source="staff")
    with pytest.raises(NotAllowed):
        area_concern_review(actor=personas.you, concern=concern)
    lead = UserFactory(email="lead@keyworker.test", role=Role.SAFEGUARDING_LEAD, team=None)
    reviewed = area_concern_review(actor=lead, concern=concern)
    assert reviewed.last_reviewed_by == lead and reviewed.review_by <= reviewed.expires_on


def test_area_concerns_page(client, personas: Personas):
    client.force_login(personas.you)
    response = client.post(
        reverse("safeguarding:area_concerns"), {"area": "Angell Town estate", "summary": NEW_GROUP, "source": "staff"}
    )
    assert response.status_code == 302
    assert NEW_GROUP in client.get(reverse("safeguarding:area_concerns")).content.decode()
    bad = client.post(reverse("safeguarding:area_concerns"), {"area": "", "summary": "", "source": ""})
    assert bad.status_code == 422 and "There is a problem" in bad.content.decode()
    assert AreaConcern.objects.count() == 1
    concern = AreaConcern.objects.get()
    review_url = reverse("safeguarding:area_concern_review", args=[concern.pk])
    client.post(review_url)
    concern.refresh_from_db()
    assert concern.last_reviewed_on is None  # a caseworker cannot review
    client.force_login(personas.manager)
    client.post(review_url)
    concern.refresh_from_db()
    assert concern.last_reviewed_by == personas.manager
    client.force_login(personas.report_viewer)
    assert client.get(reverse("safeguarding:area_concerns")).status_code == 404
    assert client.post(review_url).status_code == 404
