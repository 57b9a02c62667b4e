"""Row-level security, per request: tell PostgreSQL which gym the current transaction acts for.

The tables' policies (``tenants/rls_install.py``) admit only the rows of the gym in the
transaction-local setting ``app.gym_id``, or every row while ``app.rls_bypass`` is ``on`` (the
audited ``unscoped()``). ``tenants.scope`` calls ``enter_scope``/``restore_scope`` when a scope opens
and closes; the tenant middleware sets the gym of an API request with ``set_config(..., is_local =>
true)`` inside the request's transaction, so it never outlives the request on a pooled connection.
Before the gym is known, two narrow lookups exist: an API key by the digest the request presented
(``set_api_key_digest``) and the one row of an ``rls_lookup_by_id`` model whose id is in the URL
(``set_row_lookup``, a webhook's integration).

This module imports no model, so the scope and the managers can use it.
"""

from django.db import connection as default_connection

GYM_SETTING = "app.gym_id"
BYPASS_SETTING = "app.rls_bypass"
API_KEY_SETTING = "app.api_key_digest"


def active(connection=None) -> bool:
    connection = connection or default_connection
    return connection.vendor == "postgresql"


def enter_scope(*, gym_id, bypass: bool, local: bool, connection=None) -> tuple[str, str]:
    """Tell PostgreSQL which gym the following queries act for; returns the previous settings
    (read in the same round trip) for ``restore_scope``."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT current_setting('{GYM_SETTING}', true), current_setting('{BYPASS_SETTING}', true), "
            "set_config(%s, %s, %s), set_config(%s, %s, %s)",
            [GYM_SETTING, str(gym_id) if gym_id else "", local, BYPASS_SETTING, "on" if bypass else "off", local],
        )
        gym, bypassed = cursor.fetchone()[:2]
    return gym or "", bypassed or "off"


def restore_scope(previous: tuple[str, str], *, local: bool, connection=None) -> None:
    connection = connection or default_connection
    gym, bypassed = previous
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, %s), set_config(%s, %s, %s)",
                       [GYM_SETTING, gym, local, BYPASS_SETTING, bypassed, local])


def set_api_key_digest(digest: str, connection=None) -> None:
    """Lets the API key lookup see the one row whose digest the request presented (and no other),
    until the end of the request's transaction."""
    connection = connection or default_connection
    if not active(connection):
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, %s)", [API_KEY_SETTING, digest, connection.in_atomic_block])


def lookup_setting(table: str) -> str:
    return f"app.lookup_{table}"


def set_row_lookup(model, pk, connection=None) -> None:
    """Lets the following queries read the one row of ``model`` whose id is ``pk`` (a UUID), before
    the request's gym is known, until the end of the transaction (``rls_lookup_by_id`` models)."""
    connection = connection or default_connection
    if not active(connection):
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, %s)",
                       [lookup_setting(model._meta.db_table), str(pk), connection.in_atomic_block])


def transaction_broken(connection=None) -> bool:
    """True when the current transaction can run no more statements (it will be rolled back)."""
    connection = connection or default_connection
    if connection.needs_rollback:
        return True
    raw = connection.connection
    if raw is None or not active(connection):
        return False
    import psycopg2.extensions

    return raw.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INERROR
