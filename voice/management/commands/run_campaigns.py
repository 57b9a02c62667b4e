import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tenants.management.gym_option import GYM_HELP, gym_from_option
from tenants.models import Gym
from tenants.scope import gym_scope
from voice.scheduler import campaigns_schedule


class Command(BaseCommand):
    help = ("Queue today's calls of every active campaign (safe to run from cron every few minutes: a second run "
            "queues nothing twice). See docs/voice-agent.md.")

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Act as if it were this ISO-8601 datetime (without an offset: UTC).")
        parser.add_argument("--gym", help=f"Only this gym. {GYM_HELP}")

    def handle(self, *args, **options):
        now = self._now(options["now"])
        gyms = Gym.objects.order_by("name", "id")
        if options["gym"]:
            gyms = gyms.filter(pk=gym_from_option(options["gym"]).pk)
        total = 0
        for gym in gyms:
            # Each gym in its own scope and transaction: row-level security sees that gym only.
            with gym_scope(gym):
                for result in campaigns_schedule(gym=gym, now=now):
                    total += len(result.calls)
                    why = f" ({result.skipped})" if result.skipped else ""
                    self.stdout.write(f"{gym.name} / {result.campaign.name}: {len(result.calls)} calls queued "
                                      f"for {result.date}{why}")
        self.stdout.write(f"{total} calls queued.")

    @staticmethod
    def _now(raw):
        if not raw:
            return timezone.now()
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise CommandError(f'--now "{raw}" is not an ISO-8601 datetime such as 2026-03-02T10:00:00-06:00.')
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
