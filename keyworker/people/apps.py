from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "keyworker.people"
    label = "people"
