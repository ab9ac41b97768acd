"""Telling staff something: a notification in the app, and an e-mail once the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core.models import Notification


def email_link_line(link: str) -> str:
    """The closing line of every e-mail: where to sign in and look (absolute with KEYWORKER_SITE_URL)."""
    return f"Sign in to Keyworker to see it: {settings.KEYWORKER_SITE_URL}{link}"


def notify(
    *, recipients: Iterable[User], subject: str, body: str, link: str = "", email: bool = False
) -> list[Notification]:
    """In-app notifications now; e-mails only after commit, so a rolled-back change sends nothing.
    E-mails carry no personal data: they say there is something to look at and link to it."""
    people = [r for r in recipients if r.is_active]
    made = Notification.objects.bulk_create(
        Notification(recipient=person, subject=subject, body=body, link=link) for person in people
    )
    if email:
        addresses = [p.email for p in people if p.email]

        def _send() -> None:
            if addresses:
                send_mail(
                    subject,
                    f"{body}\n\n{email_link_line(link)}",
                    settings.DEFAULT_FROM_EMAIL,
                    addresses,
                    fail_silently=False,
                )

        transaction.on_commit(_send)
    return made


def notification_list_for(user: User) -> QuerySet[Notification]:
    """A user's own notifications: nobody reads anyone else's."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at")


def unread_count_for(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notifications_mark_read(*, actor: User) -> int:
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())
