"""Staff, their teams and their roles."""

from __future__ import annotations

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
