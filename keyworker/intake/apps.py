from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "keyworker.intake"
    label = "intake"
    verbose_name = "Intake"
