from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "keyworker.safeguarding"
    label = "safeguarding"
