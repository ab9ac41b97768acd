"""In-app notifications: each person sees only their own, and opening the page marks them read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyworker.core.models import Notification
from keyworker.core.notifications import notify
from keyworker.core.testing import Personas

pytestmark = pytest.mark.django_db


def test_notifications_are_private_and_marked_read(client, personas: Personas):
    notify(recipients=[personas.manager], subject="Break-glass access to a client's record", body="Cal opened one.")
    notify(recipients=[personas.other_manager], subject="Not for Team North", body="Elsewhere.")
    client.force_login(personas.manager)
    week = client.get(reverse("diary:my_week")).content.decode()
    assert "Notifications (1 new)" in week
    page = client.get(reverse("core:notifications")).content.decode()
    assert "Cal opened one." in page and "Not for Team North" not in page
    assert Notification.objects.get(recipient=personas.manager).read_at is not None
    assert "Notifications (1 new)" not in client.get(reverse("diary:my_week")).content.decode()


def test_inactive_staff_are_not_notified(personas: Personas):
    personas.manager.is_active = False
    personas.manager.save()
    assert notify(recipients=[personas.manager], subject="x", body="y") == []
