from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_tally(sender, using, **kwargs):
    from . import tally

    tally.install(using)


class CallsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "calls"

    def ready(self):
        # After every migrate (and flush): the tally's triggers exist and the tally is true.
        post_migrate.connect(_install_tally, sender=self, dispatch_uid="calls.tally.install")
