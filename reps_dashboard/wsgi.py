import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reps_dashboard.settings")

application = get_wsgi_application()


def _check_database_role():
    from django.db import connection

    from reps_dashboard.db_role import warn_if_rls_does_not_bind

    warn_if_rls_does_not_bind()
    connection.close()  # the check's connection is not a request's; requests open their own


_check_database_role()
