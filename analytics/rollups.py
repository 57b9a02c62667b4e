"""The daily rollups' PostgreSQL triggers and rebuild (see analytics/models.py, docs/analytics.md).

Why triggers rather than the write services: cascading deletes (a lead deleted with its calls),
admin edits, imports and bulk loads write these tables without going through one service, and a
trigger runs in the same transaction as every write, whoever makes it. Statement-level triggers
with transition tables: one aggregated upsert per statement, so a bulk insert of 1,000 leads costs
one upsert of a few dozen rows instead of 1,000 (a single-row write costs the same as a row trigger).

Each trigger subtracts the old rows' contributions and adds the new rows', grouped by rollup key and
upserted in key order (``INSERT ... ON CONFLICT ... DO UPDATE``): concurrent writers lock rollup
rows in the same order, so they queue instead of deadlocking. Rows whose total falls to 0 are
removed, so a rollup equals its rebuild exactly. The local day reads the gym's timezone from the
gyms table; a trigger on gyms rebuilds a gym's rollups when its timezone changes.

SQLite has none of this: there every period is counted from the raw rows.
"""

from django.db import connection as default_connection

from .facts import ALL, FACTS
from .models import KEY_FIELDS

NIL = "'00000000-0000-0000-0000-000000000000'::uuid"
KEY = ", ".join(KEY_FIELDS)
REBUILD_FUNCTION = "analytics_rebuild"
GYM_TRIGGER = "analytics_gym_timezone"


def _changes(fact, rows: str, sign: int) -> str:
    """Every rollup contribution of the rows of ``rows`` (a table or transition table), times ``sign``."""
    pairs = [f"('{ALL}', '')"] + [
        f"('{dimension}', r.{column}::text)" for dimension, (column, _) in fact.dimensions.items()]
    measures = ", ".join(f"{sign} * ({measure.sql}) AS {name}" for name, measure in fact.measures.items())
    return (f"SELECT r.gym_id, d.dimension, (r.{fact.time_field} AT TIME ZONE g.timezone)::date AS day, "
            f"coalesce(r.branch_id, {NIL}) AS branch_key, d.key, {measures} "
            f"FROM {rows} r JOIN tenants_gym g ON g.id = r.gym_id "
            f"CROSS JOIN LATERAL (VALUES {', '.join(pairs)}) AS d (dimension, key) "
            f"WHERE r.{fact.time_field} IS NOT NULL AND d.key IS NOT NULL")


def _upsert(fact, *sources) -> str:
    table = fact.rollup._meta.db_table
    names = list(fact.measures)
    union = " UNION ALL ".join(_changes(fact, rows, sign) for rows, sign in sources)
    sums = ", ".join(f"sum({name})" for name in names)
    return (f"INSERT INTO {table} AS t ({KEY}, {', '.join(names)}) "
            f"SELECT {KEY}, {sums} FROM ({union}) AS c GROUP BY {KEY} "
            f"HAVING {' OR '.join(f'sum({name}) <> 0' for name in names)} ORDER BY {KEY} "
            f"ON CONFLICT ({KEY}) DO UPDATE SET {', '.join(f'{n} = t.{n} + EXCLUDED.{n}' for n in names)};")


def _prune(fact, rows: str) -> str:
    table = fact.rollup._meta.db_table
    return (f"DELETE FROM {table} t WHERE t.total = 0 AND ({', '.join(f't.{c}' for c in KEY_FIELDS)}) IN "
            f"(SELECT {KEY} FROM ({_changes(fact, rows, 1)}) AS gone);")


def _tracked(fact) -> list[str]:
    """The source columns a rollup depends on: an update that changes none of them changes nothing."""
    columns = {"gym_id", "branch_id", fact.time_field, *(column for column, _ in fact.dimensions.values())}
    columns |= {"status", "outcome", "duration"} & {f.attname for f in fact.source._meta.concrete_fields}
    columns |= set(fact.tracked)
    return sorted(columns)


def _function(fact) -> str:
    tracked = _tracked(fact)
    unchanged = (f"NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE "
                 f"({', '.join(f'o.{c}' for c in tracked)}) IS DISTINCT FROM ({', '.join(f'n.{c}' for c in tracked)}))")
    return f"""CREATE OR REPLACE FUNCTION analytics_{fact.name}_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN {_upsert(fact, ("new_rows", 1))}
        ELSIF TG_OP = 'DELETE' THEN {_upsert(fact, ("old_rows", -1))} {_prune(fact, "old_rows")}
        ELSIF {unchanged} THEN RETURN NULL;
        ELSE {_upsert(fact, ("new_rows", 1), ("old_rows", -1))} {_prune(fact, "old_rows")}
        END IF;
        RETURN NULL;
    END $$"""


def _triggers(fact) -> list[str]:
    table, function = fact.table, f"analytics_{fact.name}_apply()"
    transition = {"insert": "NEW TABLE AS new_rows", "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                  "delete": "OLD TABLE AS old_rows"}
    statements = []
    for event, tables in transition.items():
        name = f"analytics_{fact.name}_{event}"
        statements += [f"DROP TRIGGER IF EXISTS {name} ON {table}",
                       f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} REFERENCING {tables} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {function}"]
    return statements


def _rebuild_function() -> str:
    """``analytics_rebuild(gym)``: that gym's rollups (every gym's for NULL) from the raw rows, one
    INSERT ... SELECT ... GROUP BY per table. The source tables are locked against writes (reads go
    on) so that no write falls between the delete and the insert."""
    tables = ", ".join(fact.table for fact in FACTS)
    body = [f"LOCK TABLE {tables} IN SHARE MODE;"]
    for fact in FACTS:
        rollup, names = fact.rollup._meta.db_table, list(fact.measures)
        body.append(f"DELETE FROM {rollup} WHERE target IS NULL OR gym_id = target;")
        rows = f"(SELECT * FROM {fact.table} WHERE target IS NULL OR gym_id = target)"
        body.append(f"INSERT INTO {rollup} ({KEY}, {', '.join(names)}) "
                    f"SELECT {KEY}, {', '.join(f'sum({n})' for n in names)} FROM ({_changes(fact, rows, 1)}) AS c "
                    f"GROUP BY {KEY} HAVING sum(total) <> 0;")
    return (f"CREATE OR REPLACE FUNCTION {REBUILD_FUNCTION}(target uuid) RETURNS void LANGUAGE plpgsql AS $$ "
            f"BEGIN {' '.join(body)} END $$")


GYM_STATEMENTS = [
    f"""CREATE OR REPLACE FUNCTION analytics_gym_timezone_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM {REBUILD_FUNCTION}(NEW.id); RETURN NULL; END $$""",
    f"DROP TRIGGER IF EXISTS {GYM_TRIGGER} ON tenants_gym",
    f"CREATE TRIGGER {GYM_TRIGGER} AFTER UPDATE OF timezone ON tenants_gym FOR EACH ROW "
    "WHEN (OLD.timezone IS DISTINCT FROM NEW.timezone) EXECUTE FUNCTION analytics_gym_timezone_changed()",
]


def install_statements() -> list[str]:
    statements = [_rebuild_function()]
    for fact in FACTS:
        statements += [_function(fact), *_triggers(fact)]
    return statements + GYM_STATEMENTS


def trigger_names() -> list[tuple[str, str]]:
    """(table, trigger) of every trigger installed here."""
    names = [(fact.table, f"analytics_{fact.name}_{event}") for fact in FACTS for event in ("insert", "update", "delete")]
    return names + [("tenants_gym", GYM_TRIGGER)]


def active(connection=None) -> bool:
    """Rollups exist on PostgreSQL only."""
    return (connection or default_connection).vendor == "postgresql"


def install(connection=None) -> None:
    """Create or replace the functions and triggers, then rebuild every gym (idempotent)."""
    connection = connection or default_connection
    if not active(connection):
        return
    with connection.cursor() as cursor:
        for statement in install_statements():
            cursor.execute(statement)
        cursor.execute(f"SELECT {REBUILD_FUNCTION}(NULL)")


def rebuild(gym_id=None, connection=None) -> None:
    """Recount ``gym_id``'s rollups (every gym's when None) from the raw rows; call inside a transaction."""
    connection = connection or default_connection
    if not active(connection):
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {REBUILD_FUNCTION}(%s)", [str(gym_id) if gym_id else None])
