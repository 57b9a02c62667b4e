from django.core.management.base import BaseCommand
from django.db import transaction

from analytics import rollups
from tenants.management.gym_option import GYM_HELP, gym_from_option
from tenants.scope import unscoped


class Command(BaseCommand):
    help = ("Recount the daily analytics rollups from the leads, calls and appointments (PostgreSQL), "
            "for one gym or all, in one transaction.")

    def add_arguments(self, parser):
        parser.add_argument("--gym", help=f"{GYM_HELP} Default: every gym.")

    def handle(self, *args, gym=None, **options):
        if not rollups.active():
            self.stdout.write("Nothing to rebuild: rollups exist on PostgreSQL only (SQLite counts the raw rows).")
            return
        gym_id = str(gym_from_option(gym).pk) if gym is not None else None
        with unscoped("rebuild_analytics"), transaction.atomic():
            rollups.rebuild(gym_id)
        self.stdout.write(f"Rebuilt the analytics rollups of {'gym ' + gym_id if gym_id else 'every gym'}.")
