"""Is row-level security binding the role this process serves as?

PostgreSQL lets a superuser (or a role with BYPASSRLS) read every gym's rows whatever the policies say,
and the tables' owner can switch the policies off. Serving as either silently removes the database's
own net under the application's gym scoping, so every web and worker process says so loudly at
startup (``reps_dashboard/wsgi.py``, ``reps_dashboard/worker_hooks.py``). The fix: docs/operations.md, "The database role".
"""

import logging

from django.db import connection as default_connection

logger = logging.getLogger("reps_dashboard.db_role")


def serving_role_problems(connection=None) -> list[str]:
    """Why row-level security would not bind the connection's role (empty: it binds, or not PostgreSQL)."""
    from tenants.rls_install import tenant_models

    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    tables = [model._meta.db_table for model in tenant_models()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        role, superuser, bypass = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                       "AND tableowner = current_user AND tablename = ANY(%s)", [tables])
        owned = cursor.fetchone()[0]
    problems = []
    if superuser:
        problems.append(f'the database role "{role}" is a superuser: row-level security does not apply to it')
    elif bypass:
        problems.append(f'the database role "{role}" has BYPASSRLS: row-level security does not apply to it')
    if owned:
        problems.append(f'the database role "{role}" owns {owned} tenant tables and may switch their row-level '
                        "security off")
    return problems


def warn_if_rls_does_not_bind(connection=None) -> list[str]:
    """Logs each problem as an error; a database that cannot be reached is logged and left to the probes."""
    try:
        problems = serving_role_problems(connection)
    except Exception:
        logger.warning("could not check the database role for row-level security", exc_info=True)
        return []
    for problem in problems:
        logger.error("ROW-LEVEL SECURITY DOES NOT PROTECT THIS PROCESS: %s. Serve with a role that neither owns "
                     "the tables nor is a superuser (docs/operations.md, \"The database role\").", problem)
    return problems
