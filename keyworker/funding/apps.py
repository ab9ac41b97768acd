from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "keyworker.funding"
    label = "funding"
