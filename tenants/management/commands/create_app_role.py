from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tenants.management.secret_input import secret_from
from tenants.rls_install import app_role_grants

PASSWORD_VARIABLE = "DATABASE_APP_PASSWORD"


class Command(BaseCommand):
    help = ("PostgreSQL: create (or update) the role the app serves as, one that neither owns the tables nor is a "
            "superuser, so row-level security binds it; grant it what it needs. Run as the tables' owner "
            "(a role allowed to create roles). The password comes from --password, else the "
            f"{PASSWORD_VARIABLE} environment variable, else a prompt.")

    def add_arguments(self, parser):
        parser.add_argument("role", nargs="?", default=settings.DATABASE_APP_ROLE or None,
                            help="The role's name (default: DATABASE_APP_ROLE)")
        parser.add_argument("--password", help=f"For scripts; prefer {PASSWORD_VARIABLE} or the prompt")

    def handle(self, *args, role=None, password=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("create_app_role is for PostgreSQL (row-level security); DATABASE_URL is not one.")
        if not role:
            raise CommandError("Name the role: create_app_role <name>, or set DATABASE_APP_ROLE.")
        password = secret_from(password, option="--password", variable=PASSWORD_VARIABLE,
                               prompt="Password for the app role", confirm=True)
        if len(password) < 16:
            raise CommandError("The role's password must have at least 16 characters.")
        q = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row and row[0]:
                raise CommandError(f'The role "{role}" is a superuser or bypasses row-level security: '
                                   "choose another name, or drop that role first.")
            verb = "ALTER" if row else "CREATE"
            cursor.execute(f"{verb} ROLE {q(role)} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE "
                           "PASSWORD %s", [password])
            cursor.execute("SELECT current_database()")
            database = cursor.fetchone()[0]
            statements = [f"GRANT CONNECT ON DATABASE {q(database)} TO {q(role)}", *app_role_grants(role, connection)]
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f'Role "{role}" {"updated" if row else "created"}: it may connect to "{database}" and read '
                          "and write its tables, which it does not own. Serve with it in DATABASE_URL and run "
                          f"`migrate` as the owner with DATABASE_APP_ROLE={role}.")
