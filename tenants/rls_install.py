"""PostgreSQL row-level security and same-gym foreign keys, installed: the database's own net under
the application's gym scoping (what each request sets is ``tenants/rls.py``).

Installed after every ``migrate`` (``post_migrate``), idempotently, for every tenant table, so a new
tenant model is covered without anyone remembering to:

* **Row-level security.** Every table of a ``GymOwned`` model gets ``ENABLE`` and ``FORCE ROW LEVEL
  SECURITY`` and two permissive policies: ``gym_isolation`` (rows whose ``gym_id`` is the
  transaction's ``app.gym_id``) and ``rls_bypass`` (every row while ``app.rls_bypass`` is ``on``: the
  audited ``unscoped()`` of admin superusers and commands). Outside a scope no setting is made, so a
  query sees no rows and an insert is refused. API keys are looked up by their digest before the gym
  is known: ``api_key_lookup`` admits exactly the row whose digest the request presented. Likewise a
  model with ``rls_lookup_by_id = True`` (a webhook's integration, found by the id in its URL) gets
  ``row_lookup``: reading, and only reading, the one row whose id the request set (``set_row_lookup``).
* **Same-gym foreign keys.** For every foreign key from a tenant table to a tenant table (or to a
  user), a composite ``(gym_id, <fk>) -> target(gym_id, id)`` constraint, so the database itself
  refuses a call, appointment or timeline entry pointing at another gym's lead.

Policies only bind roles that are neither superusers nor the owner without ``FORCE``: the app
must connect as a role that does not own the tables (see docs/security.md, ``DATABASE_APP_ROLE``).
Users and gyms are authentication principals, looked up before a gym is known; they are outside RLS
and protected by the application layer (every API read of users goes through ``for_gym``).
"""

import hashlib
import logging
import re

from django.apps import apps
from django.conf import settings
from django.db import connection as default_connection

from . import rls
from .models import ApiKey, Gym, GymOwned, User

logger = logging.getLogger("tenants.rls")

_CURRENT_GYM = f"NULLIF(current_setting('{rls.GYM_SETTING}', true), '')::uuid"
# The isolation test, as a CASE on purpose: the planner estimates a CASE at 0.5 but ``gym_id = <the
# setting>`` exactly (it evaluates the setting while planning), and every query also filters
# ``gym_id`` itself, so the plain form counted the gym's selectivity twice: a small gym's 10,000
# calls were estimated at 64 rows, and its list page sorted all of them through nested loops
# (500 ms) instead of reading 50 in index order. Same rows either way (docs/security.md).
_ISOLATION = (f"CASE WHEN current_setting('{rls.GYM_SETTING}', true) <> '' THEN gym_id = {_CURRENT_GYM} "
              "ELSE false END")
_BYPASS = f"current_setting('{rls.BYPASS_SETTING}', true) = 'on'"



def tenant_models():
    """Every model whose table holds gym data: the ``GymOwned`` ones, and derived tables (counters,
    rollups) that carry a ``gym_id`` column without being ``GymOwned``. Users and gyms are the
    authentication principals (module docstring)."""
    return [m for m in apps.get_models()
            if m not in (Gym, User) and not m._meta.proxy and m._meta.managed
            and any(f.column == "gym_id" for f in m._meta.concrete_fields)]


def _is_tenant_target(model) -> bool:
    return issubclass(model, GymOwned) or model is User


def same_gym_foreign_keys():
    """(model, field, target) for every FK between tenant rows that must stay inside one gym."""
    found = []
    for model in tenant_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.many_to_one and field.name != "gym" and _is_tenant_target(field.related_model):
                found.append((model, field, field.related_model))
    return found


def _name(*parts) -> str:
    text = "_".join(parts)
    if len(text) <= 63:
        return text
    return f"{text[:50]}_{hashlib.sha1(text.encode()).hexdigest()[:8]}"


POLICY_ISOLATION = "gym_isolation_v2"
POLICY_BYPASS = "rls_bypass_v1"
POLICY_API_KEY = "api_key_lookup_v1"
POLICY_ROW_LOOKUP = "row_lookup_v1"
_OUR_POLICY = re.compile(r"^(gym_isolation|rls_bypass|api_key_lookup|row_lookup)_v\d+$")


def _policies(table: str) -> dict[str, str]:
    """Policy name -> its CREATE statement. A changed definition gets a new name (``_v2``); install
    drops the names it no longer knows."""
    q = default_connection.ops.quote_name
    policies = {
        POLICY_ISOLATION: f"CREATE POLICY {POLICY_ISOLATION} ON {q(table)} "
                          f"USING ({_ISOLATION}) WITH CHECK ({_ISOLATION})",
        POLICY_BYPASS: f"CREATE POLICY {POLICY_BYPASS} ON {q(table)} USING ({_BYPASS}) WITH CHECK ({_BYPASS})",
    }
    if table == ApiKey._meta.db_table:
        lookup = f"digest = current_setting('{rls.API_KEY_SETTING}', true)"
        policies[POLICY_API_KEY] = f"CREATE POLICY {POLICY_API_KEY} ON {q(table)} USING ({lookup}) WITH CHECK ({lookup})"
    if table in {m._meta.db_table for m in tenant_models() if getattr(m, "rls_lookup_by_id", False)}:
        lookup = f"id = NULLIF(current_setting('{rls.lookup_setting(table)}', true), '')::uuid"
        policies[POLICY_ROW_LOOKUP] = f"CREATE POLICY {POLICY_ROW_LOOKUP} ON {q(table)} FOR SELECT USING ({lookup})"
    return policies


def state(connection=None) -> dict:
    """What the database holds: RLS flags and policy names per table, constraint names."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                       "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")
        flags = {name: (enabled, forced) for name, enabled, forced in cursor.fetchall()}
        cursor.execute("SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public'")
        policies = {}
        for table, policy in cursor.fetchall():
            policies.setdefault(table, set()).add(policy)
        cursor.execute("SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace")
        constraints = {row[0] for row in cursor.fetchall()}
    return {"flags": flags, "policies": policies, "constraints": constraints}


def install(connection=None, verbosity=1) -> None:
    """Create what is missing of the policies and same-gym keys (idempotent: after every
    ``migrate``, and after every ``flush``, when it finds everything in place and changes nothing)."""
    connection = connection or default_connection
    if not rls.active(connection):
        return
    q = connection.ops.quote_name
    current = state(connection)
    statements = []
    for model in tenant_models():
        table = model._meta.db_table
        enabled, forced = current["flags"].get(table, (False, False))
        if not enabled:
            statements.append(f"ALTER TABLE {q(table)} ENABLE ROW LEVEL SECURITY")
        if not forced:
            statements.append(f"ALTER TABLE {q(table)} FORCE ROW LEVEL SECURITY")
        existing = current["policies"].get(table, set())
        wanted = _policies(table)
        statements += [create for name, create in wanted.items() if name not in existing]
        # An older version of one of our policies goes (permissive policies are ORed); a policy
        # someone else added is left alone.
        statements += [f"DROP POLICY {q(name)} ON {q(table)}" for name in sorted(existing - set(wanted))
                       if _OUR_POLICY.match(name)]
    for target in {target for _, _, target in same_gym_foreign_keys()}:
        table = target._meta.db_table
        name = _name(table, "gym_id_uniq")
        if name not in current["constraints"]:
            statements.append(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} UNIQUE (gym_id, id)")
    for model, field, target in same_gym_foreign_keys():
        table = model._meta.db_table
        name = same_gym_constraint_name(model, field)
        if name not in current["constraints"]:
            statements.append(
                f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} FOREIGN KEY (gym_id, {q(field.column)}) "
                f"REFERENCES {q(target._meta.db_table)} (gym_id, id) DEFERRABLE INITIALLY DEFERRED")
    if settings.DATABASE_APP_ROLE:
        statements += app_role_grants(settings.DATABASE_APP_ROLE, connection)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    if verbosity and statements:
        logger.info("row-level security: %d statements applied on %d tenant tables", len(statements),
                    len(tenant_models()))


def app_role_grants(role: str, connection=None) -> list[str]:
    """What the serving role needs on the tables (and no more: it owns nothing, so RLS binds it)."""
    q = (connection or default_connection).ops.quote_name
    return [
        f"GRANT USAGE ON SCHEMA public TO {q(role)}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {q(role)}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q(role)}",
    ]


def same_gym_constraint_name(model, field) -> str:
    return _name(model._meta.db_table, field.column, "same_gym")


def post_migrate_install(sender, using="default", verbosity=1, **kwargs):
    from django.db import connections

    install(connections[using], verbosity=verbosity)


def pre_migrate_bypass(sender, using="default", **kwargs):
    """Migrations may move data; they act for every gym (an owner that is not a superuser is bound
    by FORCE ROW LEVEL SECURITY too)."""
    from django.db import connections

    connection = connections[using]
    if rls.active(connection):
        logger.info("gym scope bypassed: migrate")
        rls.enter_scope(gym_id=None, bypass=True, local=False, connection=connection)
