from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ConsoleConfig(AppConfig):
    """The operator console: the admin site, its dashboard, templates and styles."""

    default = True
    name = "console"
    verbose_name = "Operator console"


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the console's site as ``admin.site``."""

    default = False
    default_site = "console.site.ConsoleAdminSite"
