from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "appointments"

    def ready(self):
        from reps_dashboard import tally

        tally.connect(self)  # the appointment tally's triggers (reps_dashboard/tally.py)
