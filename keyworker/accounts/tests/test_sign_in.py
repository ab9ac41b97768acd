"""Sign-in: by e-mail through allauth, no self sign-up, the admin behind the same sign-in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyworker.core.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_lands_on_my_week(client, personas: Personas):
    response = client.post(reverse("account_login"), {"login": personas.you.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("diary:my_week")


def test_wrong_password_is_refused_with_a_message(client, personas: Personas):
    response = client.post(reverse("account_login"), {"login": personas.you.email, "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_nobody_can_sign_themselves_up(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "stranger@example.com", "password1": "a-long-password-123", "password2": "a-long-password-123"},
    )
    from keyworker.accounts.models import User

    assert not User.objects.filter(email="stranger@example.com").exists()
    assert response.status_code in (200, 302)


def test_admin_login_goes_through_the_same_sign_in(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_sign_out_is_a_post(client, personas: Personas):
    client.force_login(personas.you)
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session
