from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "keyworker.audit"
    label = "audit"
