from django.apps import AppConfig


class LeadsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "leads"

    def ready(self):
        from reps_dashboard import tally

        tally.connect(self)  # the lead tally's triggers (reps_dashboard/tally.py)
