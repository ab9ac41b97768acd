"""Staff, their teams and their roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from keyworker.core.models import BaseModel


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    MANAGER = "manager", "Manager"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    ON_CALL = "on_call", "On-call worker"
    PEER_MENTOR = "peer_mentor", "Peer mentor"
    DATA_PROTECTION_OFFICER = "dpo", "Data protection officer"
    REPORT_VIEWER = "report_viewer", "Report viewer"
    ADMINISTRATOR = "administrator", "Administrator"


class Team(BaseModel):
    name = models.CharField(max_length=120, unique=True)
    area = models.CharField(max_length=120, blank=True, help_text="Where the team works, e.g. a borough.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StaffManager(UserManager["User"]):
    def create_staff(self, email: str, password: str | None = None, **extra_fields: Any) -> User:
        """A member of staff whose username is their e-mail address."""
        return self.create_user(email.lower(), email=email, password=password, **extra_fields)


class User(AbstractUser):
    """A member of staff. Signs in with their e-mail address."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.CASEWORKER)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members")

    objects: ClassVar[StaffManager] = StaffManager()

    class Meta:
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


# Every token starts with this, so it is recognisable (and findable by secret scanners) wherever it leaks.
API_TOKEN_MARK = "kw_"  # noqa: S105 - a label, not a secret
# How many characters of a token its lists show: the mark and 8 more (48 of its 256 random bits).
API_TOKEN_PREFIX_LENGTH = len(API_TOKEN_MARK) + 8


def api_token_hash(plain: str) -> str:
    """What is stored for a token: its SHA-256, in hex. The token holds 256 random bits, so a plain
    (unsalted, fast) hash is enough: there is nothing to guess, unlike a password."""
    return hashlib.sha256(plain.encode()).hexdigest()


class ApiScope(models.TextChoices):
    READ = "read", "Read (GET requests)"
    WRITE = "write", "Write (POST requests)"


class ApiToken(BaseModel):
    """A personal API token. It acts as its owner, with no more reach than the owner has.

    Only a SHA-256 hash of the token is stored; the token itself is shown once, when it is made.
    """

    # A token is a credential of its owner: it goes with them. (Staff are disabled rather than deleted.)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the integration using it.")
    # The first characters of the token, so its owner can tell tokens apart. Not enough to use it.
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    can_read = models.BooleanField(default=True, help_text="May make GET requests.")
    can_write = models.BooleanField(default=False, help_text="May make POST requests.")
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(can_read=True) | models.Q(can_write=True), name="api_token_has_a_scope"
            ),
            # The 365-day limit is the service's; the database at least refuses a token born expired.
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="api_token_expires_after_creation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scopes(self) -> list[str]:
        return [s for s, allowed in ((ApiScope.READ, self.can_read), (ApiScope.WRITE, self.can_write)) if allowed]

    def status(self, at: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        return "Active" if self.expires_at > at else "Expired"
