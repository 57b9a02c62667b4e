"""Project-wide fixtures: two gyms, a user per role, and authenticated API clients."""

import pytest
from django.db.backends.signals import connection_created
from rest_framework.test import APIClient

from tenants import tokens
from tenants.models import Role
from tenants.tests.factories import BranchFactory, GymFactory, UserFactory

APP_ROLE = "reps_app_test"


def _act_as_app_role(sender, connection, **kwargs):
    """Every test connection acts as a role that neither owns the tables nor is a superuser, so
    row-level security binds each request exactly as in production. Test code that builds data
    outside a request acts for every gym (a session-level bypass); the tenant middleware turns
    the bypass off and sets the gym for each request's transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET ROLE {APP_ROLE}")
            cursor.execute("SELECT set_config('app.rls_bypass', 'on', false)")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(f"""DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS;
                           EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$""")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    with django_db_blocker.unblock():
        connection.close()  # the next connection goes through _act_as_app_role
    connection_created.connect(_act_as_app_role, dispatch_uid="conftest.app_role")
    yield
    connection_created.disconnect(dispatch_uid="conftest.app_role")
    with django_db_blocker.unblock():
        connection.close()  # the owner drops the test database


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def gym(db):
    return GymFactory(name="Home Gym")


@pytest.fixture
def other_gym(db):
    return GymFactory(name="Other Gym")


@pytest.fixture
def branch(gym):
    return BranchFactory(gym=gym, name="Main")


@pytest.fixture
def admin_user(gym, branch):
    return UserFactory(gym=gym, branch=branch, role=Role.ADMIN, email="admin@home.gym")


@pytest.fixture
def manager_user(gym, branch):
    return UserFactory(gym=gym, branch=branch, role=Role.MANAGER, email="manager@home.gym")


@pytest.fixture
def agent_user(gym, branch):
    return UserFactory(gym=gym, branch=branch, role=Role.AGENT, email="agent@home.gym")


@pytest.fixture
def api_client():
    """``api_client(user)``: a client sending that user's bearer token; ``api_client()``: anonymous."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.issue_pair(user)['access_token']}")
        return client

    return make


@pytest.fixture
def key_client(gym):
    """A client authenticated by one of the gym's API keys, as the voice platform calls its tools."""
    from tenants.api_keys import api_key_create

    _, raw = api_key_create(gym=gym, name="Retell tools")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


@pytest.fixture
def admin_client(api_client, admin_user):
    return api_client(admin_user)


@pytest.fixture
def manager_client(api_client, manager_user):
    return api_client(manager_user)


@pytest.fixture
def agent_client(api_client, agent_user):
    return api_client(agent_user)


_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture
def data_queries():
    """``with data_queries(n):`` asserts that exactly ``n`` statements read or wrote data
    (``data_queries(n, at_most=True)``: no more than ``n``).

    Transaction bookkeeping (the request's savepoint) and the row-level-security scope setting
    (``set_config``, PostgreSQL only) are left out, so one budget holds on SQLite and PostgreSQL.
    """
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def budget(expected, *, at_most=False):
        with CaptureQueriesContext(connection) as captured:
            yield captured
        data = [q["sql"] for q in captured.captured_queries
                if not q["sql"].startswith(_BOOKKEEPING) and "set_config(" not in q["sql"]]
        ok = len(data) <= expected if at_most else len(data) == expected
        assert ok, f"{len(data)} data queries, expected {'at most ' if at_most else ''}{expected}:\n" + "\n".join(data)

    return budget


@pytest.fixture
def db_owner():
    """``with db_owner():`` runs schema changes as the tables' owner (as ``migrate`` does in
    production) instead of the app role the suite acts as on PostgreSQL."""
    from contextlib import contextmanager

    from django.db import connection

    @contextmanager
    def owner():
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {APP_ROLE}")

    return owner
