from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "keyworker.diary"
    label = "diary"
