from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "config.security"
    label = "site_security"

    def ready(self):
        from config.security import checks  # noqa: F401  (registers the deploy checks)
