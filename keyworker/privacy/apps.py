from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "keyworker.privacy"
    label = "privacy"
