from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "keyworker.core"
    label = "core"
