import argparse
import datetime as dt
import uuid

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from appointments.showrate.selectors import gyms_with_ladder_on
from appointments.showrate.services import showrate_run
from tenants.models import Gym
from tenants.scope import gym_scope


def _instant(raw: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{raw}" is not an ISO-8601 datetime such as 2026-03-02T10:00:00-06:00')
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{raw}" is not a gym id (a UUID)')


class Command(BaseCommand):
    help = ("Queue the show-rate ladder's due calls (confirmations and no-show recalls) of every gym that turned "
            "them on. Safe to run from cron every few minutes: nothing is queued twice. See docs/appointments.md.")

    def add_arguments(self, parser):
        parser.add_argument("--now", type=_instant, help="Act as if it were this ISO-8601 datetime (no offset: UTC).")
        parser.add_argument("--gym", type=_uuid, help="Only this gym (its id).")

    def handle(self, *args, **options):
        now = options["now"] or timezone.now()
        gyms = gyms_with_ladder_on()
        if options["gym"]:
            if not Gym.objects.filter(pk=options["gym"]).exists():
                raise CommandError(f"No gym has the id {options['gym']}.")
            gyms = gyms.filter(pk=options["gym"])
        confirmations = recalls = 0
        for gym in gyms.order_by("name", "id"):
            # Each gym in its own scope: row-level security sees that gym only.
            with gym_scope(gym):
                run = showrate_run(gym=gym, now=now)
            confirmations += len(run.confirmations)
            recalls += len(run.recalls)
            self.stdout.write(f"{gym.name}: {len(run.confirmations)} confirmation and {len(run.recalls)} recall "
                              "calls queued")
        self.stdout.write(f"{confirmations} confirmation and {recalls} recall calls queued.")
