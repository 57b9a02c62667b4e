import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from reps_dashboard.project_apps import app_modules
from tenants import demo
from tenants.models import Gym
from tenants.scope import gym_scope

# Each project app may ship ``<app>/demo.py`` with ``seed(*, gym, rng, stdout)``; they run in
# INSTALLED_APPS order, after the tenancy's own seed, inside one transaction and the demo gym's scope.


class Command(BaseCommand):
    help = "Fill a demo gym with realistic data and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo gym first and seed it anew.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (same seed, same data).")
        parser.add_argument("--force", action="store_true",
                            help="Seed even with DJANGO_DEBUG=false (the demo logins share a published password).")

    def handle(self, *args, **options):
        if not settings.SEED_DEMO_ALLOWED and not options["force"]:
            raise CommandError(
                "seed_demo refuses to run with DJANGO_DEBUG=false: its logins share a published password. "
                "Use --force if this really is a throwaway demo server."
            )
        existing = Gym.objects.filter(name=demo.GYM_NAME).first()
        if existing and not options["reset"]:
            self.stdout.write(f"The demo gym already exists ({existing.id}); use --reset to rebuild it.")
            self._print_logins()
            return
        rng = random.Random(options["seed"])
        with transaction.atomic():
            if existing:
                demo.delete_gym(existing)
            gym = demo.seed_tenancy(rng=rng)
            with gym_scope(gym):
                for module in app_modules("demo"):
                    if module is not demo:
                        module.seed(gym=gym, rng=rng, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo gym {gym.name} ready ({gym.id})."))
        self._print_logins()

    def _print_logins(self):
        self.stdout.write("Log in (POST /api/auth/login, or /admin/) with any of:")
        for email, role in demo.LOGINS:
            self.stdout.write(f"  {email} / {demo.PASSWORD}  ({role})")
