from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "keyworker.services"
    label = "services"
