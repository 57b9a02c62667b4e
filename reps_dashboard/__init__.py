# The Celery app is loaded with Django so that tasks are registered and `task.delay` finds the broker.
from .celery import app as celery_app

__all__ = ("celery_app",)
