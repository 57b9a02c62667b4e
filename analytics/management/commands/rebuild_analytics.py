import uuid

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from analytics import rollups
from tenants.models import Gym
from tenants.scope import unscoped


class Command(BaseCommand):
    help = ("Recount the daily analytics rollups from the leads, calls and appointments (PostgreSQL), "
            "for one gym or all, in one transaction.")

    def add_arguments(self, parser):
        parser.add_argument("--gym", help="The gym's id (default: every gym).")

    def handle(self, *args, gym=None, **options):
        if not rollups.active():
            self.stdout.write("Nothing to rebuild: rollups exist on PostgreSQL only (SQLite counts the raw rows).")
            return
        if gym is not None and not Gym.objects.filter(pk=_uuid(gym)).exists():
            raise CommandError(f"No gym with id {gym}.")
        with unscoped("rebuild_analytics"), transaction.atomic():
            rollups.rebuild(gym)
        self.stdout.write(f"Rebuilt the analytics rollups of {'gym ' + gym if gym else 'every gym'}.")


def _uuid(value):
    try:
        return uuid.UUID(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a gym id (a UUID).")
