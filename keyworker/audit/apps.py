from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "keyworker.audit"
    label = "audit"

    def ready(self) -> None:
        from keyworker.audit import signals  # noqa: F401 - connects the sign-in receivers
