from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.identity import canonical_email
from tenants.models import User
from tenants.services import gym_create


class Command(BaseCommand):
    help = "Create a gym, its first branch and its admin user; prints the gym's id."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", required=True, help="IANA name, e.g. America/New_York")
        parser.add_argument("--branch", required=True, help="Name of the first branch")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password", required=True)
        parser.add_argument("--country", default="US", help="ISO 3166 alpha-2; phone numbers are normalised for it")

    def handle(self, *args, **options):
        if User.objects.filter(email=canonical_email(options["admin_email"])).exists():
            raise CommandError(f"A user with email {options['admin_email']} already exists.")
        try:
            gym = gym_create(
                name=options["name"],
                timezone=options["timezone"],
                country=options["country"].upper(),
                branch_name=options["branch"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
            )
        except ValidationError as exc:
            messages = "; ".join(f"{field}: {' '.join(errs)}" for field, errs in exc.message_dict.items()) \
                if hasattr(exc, "error_dict") else " ".join(exc.messages)
            raise CommandError(messages)
        self.stdout.write(str(gym.id))
