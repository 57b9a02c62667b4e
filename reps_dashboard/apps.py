from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project package as an app: wires observability into Celery when Celery is installed (task
    metrics; the worker keeps Django's logging instead of installing its own)."""

    name = "reps_dashboard"
    verbose_name = "Reps Dashboard"

    def ready(self):
        from . import logs, metrics

        metrics.connect_task_metrics()
        logs.connect_celery_logging()
