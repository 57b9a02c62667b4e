from django.apps import AppConfig


class CallsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "calls"

    def ready(self):
        from reps_dashboard import tally

        tally.connect(self)  # the call tally's triggers (reps_dashboard/tally.py)
