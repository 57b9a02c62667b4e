from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project package as an app: wires logging, metrics and the database-role check into the
    Celery worker when Celery is installed (``reps_dashboard/worker_hooks.py``)."""

    name = "reps_dashboard"
    verbose_name = "Reps Dashboard"

    def ready(self):
        from . import worker_hooks

        worker_hooks.connect()
