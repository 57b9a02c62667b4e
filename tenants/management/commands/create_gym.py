from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.identity import canonical_email
from tenants.management.secret_input import secret_from
from tenants.models import User
from tenants.services import gym_create

PASSWORD_VARIABLE = "GYM_ADMIN_PASSWORD"


class Command(BaseCommand):
    help = ("Create a gym, its first branch and its admin user; prints the gym's id. The admin's password comes "
            f"from --admin-password, else the {PASSWORD_VARIABLE} environment variable, else a prompt.")

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="A name no other gym has (case-insensitive)")
        parser.add_argument("--timezone", required=True, help="IANA name, e.g. America/New_York")
        parser.add_argument("--branch", required=True, help="Name of the first branch")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-password",
                            help=f"For scripts; prefer {PASSWORD_VARIABLE} or the prompt (a command line is visible "
                                 "to other users of the machine and kept in shell history)")
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
                admin_password=secret_from(options["admin_password"], option="--admin-password",
                                           variable=PASSWORD_VARIABLE, prompt="Admin password", confirm=True),
            )
        except ValidationError as exc:
            messages = "; ".join(f"{field}: {' '.join(errs)}" for field, errs in exc.message_dict.items()) \
                if hasattr(exc, "error_dict") else " ".join(exc.messages)
            raise CommandError(messages)
        self.stdout.write(str(gym.id))
