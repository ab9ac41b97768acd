from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "keyworker.outcomes"
    label = "outcomes"
