"""Passwords for management commands: an option (for scripts), else an environment variable, else a
prompt in a terminal; never silently empty."""

import getpass
import os
import sys

from django.core.management.base import CommandError


def secret_from(given, *, option: str, variable: str, prompt: str, confirm: bool = False) -> str:
    secret = given or os.environ.get(variable, "")
    if secret:
        return secret
    if not sys.stdin.isatty():
        raise CommandError(f"No {prompt.lower()}: give {option}, set {variable}, or run the command in a terminal "
                           "to be asked for it.")
    secret = getpass.getpass(f"{prompt}: ")
    if confirm and secret != getpass.getpass(f"{prompt} (again): "):
        raise CommandError("The two entries differ.")
    return secret
