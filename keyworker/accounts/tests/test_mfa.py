"""MFA is required for every staff account (docs/decisions/0013): sign-in asks for the authenticator code,
a signed-in user without an authenticator is sent to set one up before any other page, and changing MFA
asks for the password again."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from keyworker.core.testing import PASSWORD, TOTP_SECRET, Personas, give_totp, totp_code

SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def _mfa_required(settings: Any) -> None:
    settings.KEYWORKER_REQUIRE_MFA = True


def _password_step(client: Client, email: str) -> Any:
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


def test_mfa_is_required_by_default_outside_tests() -> None:
    # The root conftest switches it off for force_login tests; the setting itself defaults to on.
    from keyworker import settings as project_settings

    assert project_settings.KEYWORKER_REQUIRE_MFA is True
    assert project_settings.MFA_SUPPORTED_TYPES == ["totp", "recovery_codes"]


def test_sign_in_asks_for_the_code_and_accepts_only_the_right_one(client: Client, personas: Personas) -> None:
    give_totp(personas.you)
    response = _password_step(client, personas.you.email)
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    # Password alone does not sign in.
    assert client.get("/week/")["Location"].startswith("/accounts/login/")

    _password_step(client, personas.you.email)
    wrong = "000000" if totp_code() != "000000" else "111111"
    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
    assert response.status_code == 200
    assert b"There is a problem" in response.content

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302
    assert client.get("/week/").status_code == 200


def test_a_code_cannot_be_used_twice(client: Client, personas: Personas) -> None:
    give_totp(personas.you)
    code = totp_code()
    _password_step(client, personas.you.email)
    assert client.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 302
    other = Client()
    _password_step(other, personas.you.email)
    assert other.post("/accounts/2fa/authenticate/", {"code": code}).status_code == 200
    assert other.get("/week/").status_code == 302


def test_user_without_mfa_is_sent_to_set_it_up_before_any_page(client: Client, personas: Personas) -> None:
    response = _password_step(client, personas.you.email)
    assert response.status_code == 302  # signed in with the password ...
    for path in ("/week/", "/caseload/", "/search/?q=x", "/audit/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == SETUP, path  # ... but nowhere to go
    # htmx requests are told to load the set-up page; the JSON API refuses.
    response = client.get("/week/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == SETUP
    response = client.get("/api/v1/clients")
    assert response.status_code == 403
    # Reachable: the set-up page, the MFA pages, sign-out, health.
    assert client.get(SETUP).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_setting_up_the_authenticator_app_opens_the_service(client: Client, personas: Personas) -> None:
    _password_step(client, personas.you.email)
    page = client.get(SETUP)
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret.encode() in page.content  # shown for typing into an app that cannot scan
    response = client.post(SETUP, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    types = set(Authenticator.objects.filter(user=personas.you).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes = client.get("/accounts/2fa/recovery-codes/")  # shown right after set-up, no second password
    assert codes.status_code == 200
    assert codes.content.decode().count("<li><code>") == 10
    assert client.get("/week/").status_code == 200


def test_force_login_sessions_are_also_held_to_mfa(client: Client, personas: Personas) -> None:
    # Fail closed: the check looks at the account, not at how the session was made.
    client.force_login(personas.you)
    assert client.get("/week/")["Location"] == SETUP
    give_totp(personas.you)
    assert client.get("/week/").status_code == 200


def test_changing_mfa_asks_for_the_password_again(client: Client, personas: Personas) -> None:
    give_totp(personas.you)
    client.force_login(personas.you)
    response = client.get("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    response = client.get("/accounts/2fa/recovery-codes/generate/")
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    # After typing the password again, the page opens.
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert client.get("/accounts/2fa/totp/deactivate/").status_code == 200


def test_changing_email_asks_for_the_password_again(client: Client, personas: Personas) -> None:
    from allauth.account.models import EmailAddress

    give_totp(personas.you)
    EmailAddress.objects.create(user=personas.you, email="second@keyworker.test", verified=True, primary=False)
    client.force_login(personas.you)
    for action in ("action_primary", "action_remove"):
        response = client.post("/accounts/email/", {action: "", "email": "second@keyworker.test"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/"), action
    assert EmailAddress.objects.filter(user=personas.you, email="second@keyworker.test", primary=False).exists()
    # allauth also refuses to add an unverified address to an account protected by MFA.
    response = client.post("/accounts/email/", {"action_add": "", "email": "new@keyworker.test"})
    assert not EmailAddress.objects.filter(email="new@keyworker.test").exists()


def test_mfa_pages_are_styled_like_the_service(client: Client, personas: Personas) -> None:
    give_totp(personas.you)
    _password_step(client, personas.you.email)
    page = client.get("/accounts/2fa/authenticate/").content.decode()
    assert 'class="govuk-input' in page and 'autocomplete="one-time-code"' in page
    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    for path in ("/accounts/2fa/", "/accounts/sessions/"):
        assert "govuk-heading-l" in client.get(path).content.decode(), path


def test_failed_sign_ins_are_limited_per_account_for_a_short_time(client: Client, personas: Personas) -> None:
    from keyworker import settings as project_settings

    assert project_settings.ACCOUNT_RATE_LIMITS["login_failed"] == "20/m/ip,5/2m/key"
    for _ in range(5):
        client.post("/accounts/login/", {"login": personas.you.email, "password": "wrong-password-123"})
    # The sixth try, even with the right password, is refused for now.
    response = client.post("/accounts/login/", {"login": personas.you.email, "password": PASSWORD})
    assert response.status_code == 200
    assert b"Too many failed" in response.content


def test_demo_seed_and_persona_seed_are_valid_base32() -> None:
    import base64

    from keyworker.core.demo import DEMO_TOTP_SECRET

    for secret in (DEMO_TOTP_SECRET, TOTP_SECRET):
        assert len(base64.b32decode(secret)) == 20


def test_every_demo_account_has_the_documented_authenticator_key(client: Client, db: None) -> None:
    from io import StringIO

    from allauth.mfa.utils import decrypt
    from django.core.management import call_command

    from keyworker.accounts.models import User
    from keyworker.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRET, FEATURED_EMAIL

    out = StringIO()
    call_command("demo", clients=10, stdout=out)
    assert f"oathtool --totp -b {DEMO_TOTP_SECRET}" in out.getvalue()
    staff = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    totps = Authenticator.objects.filter(user__in=staff, type=Authenticator.Type.TOTP)
    assert totps.count() == staff.count() > 0
    assert {decrypt(a.data["secret"]) for a in totps} == {DEMO_TOTP_SECRET}

    # Dee signs in as a person with an authenticator app would.
    client.post("/accounts/login/", {"login": FEATURED_EMAIL, "password": DEMO_PASSWORD})
    assert client.post("/accounts/2fa/authenticate/", {"code": totp_code(DEMO_TOTP_SECRET)}).status_code == 302
    assert client.get("/week/").status_code == 200

    # A demo loaded before MFA was required is given the key when `keyworker demo` runs again.
    Authenticator.objects.filter(user__in=staff).delete()
    call_command("demo", clients=10, stdout=StringIO())
    assert Authenticator.objects.filter(user__in=staff, type=Authenticator.Type.TOTP).count() == staff.count()


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("short-pass", False), ("password1234", False), ("123456789012", False), ("tea kettle on the stairs", True)],
)
def test_passwords_are_long_not_common_and_have_no_composition_rules(password: str, accepted: bool) -> None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from keyworker import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    try:
        validate_password(password)
    except ValidationError:
        assert not accepted
    else:
        assert accepted


def test_the_authenticator_is_looked_up_once_a_session(client: Client, personas: Personas) -> None:
    give_totp(personas.you)
    client.force_login(personas.you)
    assert client.get("/week/").status_code == 200  # looks it up and remembers it in the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/week/").status_code == 200
    assert not [q for q in queries.captured_queries if "mfa_authenticator" in q["sql"]]


def test_removing_the_authenticator_sends_the_user_to_set_one_up_again(client: Client, personas: Personas) -> None:
    from allauth.mfa.signals import authenticator_removed

    give_totp(personas.you)
    authenticator = Authenticator.objects.get(user=personas.you)
    client.force_login(personas.you)
    assert client.get("/week/").status_code == 200
    request = client.get("/week/").wsgi_request
    Authenticator.objects.filter(user=personas.you).delete()
    # What allauth does when a user removes their authenticator app in this session:
    session = client.session
    request.session = session
    authenticator_removed.send(sender=Authenticator, request=request, user=personas.you, authenticator=authenticator)
    session.save()
    assert client.get("/week/")["Location"] == SETUP
