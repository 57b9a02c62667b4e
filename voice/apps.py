from django.apps import AppConfig


class VoiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "voice"
    verbose_name = "Voice agent"

    def ready(self):
        from calls import dialing

        from . import crypto
        from .dialing import call_place

        crypto.check_key()  # a malformed FIELD_ENCRYPTION_KEY stops the process at startup, not at first use
        dialing.register(call_place)
