"""Outcomes. For now only who mentors whom (issue 8 adds scales, readings, milestones and letters)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.core.models import BaseModel
from keyworker.people.models import Client


class Mentoring(BaseModel):
    """A peer mentor (a member of staff with the peer mentor role) supporting one client."""

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentoring")
    mentee = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="mentored_by")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_mentoring_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} mentors {self.mentee_id}"
