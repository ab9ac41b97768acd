from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "keyworker.casework"
    label = "casework"
