from django.apps import AppConfig


class TenantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tenants"
    verbose_name = "Gyms and staff"

    def ready(self):
        from . import schema  # noqa: F401  (registers the OpenAPI auth extension)
