from django.apps import AppConfig


class LegacyConfig(AppConfig):
    name = "apps.legacy"
    label = "legacy"
