from django.apps import AppConfig


class TenantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tenants"
    verbose_name = "Gyms and staff"

    def ready(self):
        from django.contrib import admin
        from django.db.models.signals import post_migrate, pre_migrate

        from . import rls_install, schema  # noqa: F401  (schema registers the OpenAPI auth extension)
        from .admin_login import GuardedAdminAuthenticationForm

        # The admin login says when the shared throttle or lockout refused an attempt.
        admin.site.login_form = GuardedAdminAuthenticationForm

        pre_migrate.connect(rls_install.pre_migrate_bypass, sender=self, dispatch_uid="tenants.rls.bypass")
        post_migrate.connect(rls_install.post_migrate_install, sender=self, dispatch_uid="tenants.rls.install")
