from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "keyworker.custody"
    label = "custody"
