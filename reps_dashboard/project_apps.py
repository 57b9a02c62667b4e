"""The project's own apps, read from ``INSTALLED_APPS``: no hand-kept list to forget a new app in."""

import importlib
from pathlib import Path

from django.apps import apps
from django.conf import settings

# The project package is installed as an app too (it wires the worker hooks), but it is the plumbing
# every app builds on, not one of them.
PROJECT_PACKAGE = "reps_dashboard"


def project_apps():
    """The installed apps that are top-level packages of this repository, in ``INSTALLED_APPS`` order
    (which is their dependency order: ``tenants`` first), the project package itself left out."""
    base = Path(settings.BASE_DIR).resolve()
    return [config for config in apps.get_app_configs()
            if Path(config.path).resolve().parent == base and config.name != PROJECT_PACKAGE]


def project_app_labels():
    return [config.label for config in project_apps()]


def app_modules(name):
    """``<app>.<name>`` of every project app that ships one, in ``INSTALLED_APPS`` order."""
    found = []
    for config in project_apps():
        try:
            found.append(importlib.import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
    return found
