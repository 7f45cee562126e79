from django.apps import AppConfig


class LndConfig(AppConfig):
    name = "lnd"
    verbose_name = "Learning and development"
    default_auto_field = "django.db.models.BigAutoField"
