"""Live call counts per gym and (branch, campaign, direction, status, outcome, sentiment).

The list's ``total`` is the one number a page cannot get cheaply: counting 2,000,000 calls of a
gym reads 2,000,000 index entries (~150 ms) on every request. ``calls_calltally`` keeps, per gym
and combination of those six columns, how many calls have it; a list filtered on nothing but those
columns sums a few rows instead (see ``tally_count``).

Database triggers keep it exact whatever writes the calls (services, admin, bulk imports, raw
SQL), in the same transaction: statement-level triggers with transition tables on PostgreSQL,
row triggers on SQLite. ``install`` runs after every ``migrate`` (``CallsConfig.ready``): it
creates missing triggers and then rebuilds the tally from the calls, so a table rebuilt by a
later SQLite migration (which drops its triggers) heals itself.
"""

from django.db import connections, transaction
from django.db.models import Sum

TABLE = "calls_calltally"
TRIGGERS = ("calls_tally_insert", "calls_tally_update", "calls_tally_delete")
KEY = ("gym_id", "branch_key", "campaign_key", "direction", "status", "outcome", "sentiment")
KEY_SQL = ", ".join(KEY)


def _key_values(prefix, nil):
    """The tally key of a call row, one expression per KEY column: null ids and enums become a
    fixed value (key columns are NOT NULL)."""
    return [f"{prefix}gym_id", f"coalesce({prefix}branch_id, {nil})", f"coalesce({prefix}campaign_id, {nil})",
            f"{prefix}direction", f"{prefix}status", f"coalesce({prefix}outcome, '')",
            f"coalesce({prefix}sentiment, '')"]


def _columns(prefix, nil):
    return ", ".join(_key_values(prefix, nil))


# --- PostgreSQL ----------------------------------------------------------------------------

_PG_NIL = "'00000000-0000-0000-0000-000000000000'::uuid"


def _pg_apply(*sources):
    rows = " UNION ALL ".join(f"SELECT {_columns('', _PG_NIL)}, {sign} FROM {table}" for table, sign in sources)
    # Sorted upserts: concurrent transactions lock tally rows in the same order (no deadlock).
    return (f"INSERT INTO {TABLE} AS t ({KEY_SQL}, calls) "
            f"SELECT {KEY_SQL}, sum(delta) FROM ({rows}) AS changes ({KEY_SQL}, delta) "
            f"GROUP BY {KEY_SQL} HAVING sum(delta) <> 0 ORDER BY {KEY_SQL} "
            f"ON CONFLICT ({KEY_SQL}) DO UPDATE SET calls = t.calls + EXCLUDED.calls;")


def _pg_prune(table):
    return (f"DELETE FROM {TABLE} t USING (SELECT DISTINCT {_columns('', _PG_NIL)} FROM {table}) "
            f"AS gone ({KEY_SQL}) WHERE t.calls = 0 AND {' AND '.join(f't.{c} = gone.{c}' for c in KEY)};")


PG_CREATE = [
    f"""CREATE OR REPLACE FUNCTION calls_tally_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN {_pg_apply(("new_rows", 1))}
        ELSIF TG_OP = 'DELETE' THEN {_pg_apply(("old_rows", -1))} {_pg_prune("old_rows")}
        ELSE {_pg_apply(("new_rows", 1), ("old_rows", -1))} {_pg_prune("old_rows")}
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS calls_tally_insert ON calls_call",
    "DROP TRIGGER IF EXISTS calls_tally_update ON calls_call",
    "DROP TRIGGER IF EXISTS calls_tally_delete ON calls_call",
    "CREATE TRIGGER calls_tally_insert AFTER INSERT ON calls_call REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION calls_tally_apply()",
    "CREATE TRIGGER calls_tally_update AFTER UPDATE ON calls_call REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION calls_tally_apply()",
    "CREATE TRIGGER calls_tally_delete AFTER DELETE ON calls_call REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION calls_tally_apply()",
]
PG_EXISTING = "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'calls_call'::regclass AND tgname = ANY(%s)"

# --- SQLite --------------------------------------------------------------------------------

_SQLITE_NIL = "'00000000000000000000000000000000'"


def _sqlite_upsert(prefix, sign):
    return (f"INSERT INTO {TABLE} ({KEY_SQL}, calls) VALUES ({_columns(prefix, _SQLITE_NIL)}, {sign}) "
            f"ON CONFLICT ({KEY_SQL}) DO UPDATE SET calls = calls + excluded.calls;")


def _sqlite_prune():
    pairs = zip(KEY, _key_values("OLD.", _SQLITE_NIL), strict=True)
    return f"DELETE FROM {TABLE} WHERE calls = 0 AND {' AND '.join(f'{c} = {v}' for c, v in pairs)};"


_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}"
                       for c in ("gym_id", "branch_id", "campaign_id", "direction", "status", "outcome", "sentiment"))
SQLITE_CREATE = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS),
    f"CREATE TRIGGER calls_tally_insert AFTER INSERT ON calls_call BEGIN {_sqlite_upsert('NEW.', 1)} END",
    f"CREATE TRIGGER calls_tally_delete AFTER DELETE ON calls_call "
    f"BEGIN {_sqlite_upsert('OLD.', -1)} {_sqlite_prune()} END",
    f"CREATE TRIGGER calls_tally_update AFTER UPDATE ON calls_call WHEN {_CHANGED} "
    f"BEGIN {_sqlite_upsert('OLD.', -1)} {_sqlite_upsert('NEW.', 1)} {_sqlite_prune()} END",
]
SQLITE_EXISTING = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'calls_call' AND name IN ({})"


def _rebuild_sql(nil):
    return [f"DELETE FROM {TABLE}",
            f"INSERT INTO {TABLE} ({KEY_SQL}, calls) SELECT {_columns('', nil)}, count(*) FROM calls_call "
            f"GROUP BY {_columns('', nil)}"]


def install(using="default"):
    """Create the triggers if any is missing, then rebuild the tally from the calls (one transaction)."""
    conn = connections[using]
    if "calls_call" not in conn.introspection.table_names():
        return False  # migrated to a point before the calls app
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(PG_EXISTING, [list(TRIGGERS)])
        else:
            cursor.execute(SQLITE_EXISTING.format(", ".join(["%s"] * len(TRIGGERS))), list(TRIGGERS))
        if cursor.fetchone()[0] == len(TRIGGERS):
            return False
    statements = (PG_CREATE + _rebuild_sql(_PG_NIL) if conn.vendor == "postgresql"
                  else SQLITE_CREATE + _rebuild_sql(_SQLITE_NIL))
    with transaction.atomic(using=using), conn.cursor() as cursor:
        if conn.vendor == "postgresql":  # no call may change between the rebuild and the triggers
            cursor.execute("LOCK TABLE calls_call IN SHARE ROW EXCLUSIVE MODE")
        for statement in statements:
            cursor.execute(statement)
    return True


def rebuild(using="default"):
    """Recount the tally from the calls (after a bulk load that ran with triggers disabled)."""
    conn = connections[using]
    with transaction.atomic(using=using), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("LOCK TABLE calls_call IN SHARE ROW EXCLUSIVE MODE")
        for statement in _rebuild_sql(_PG_NIL if conn.vendor == "postgresql" else _SQLITE_NIL):
            cursor.execute(statement)


def tally_count(*, gym, branch=None, campaign=None, direction=(), status=(), outcome=(), sentiment=()):
    """How many of the gym's calls match: ``branch``/``campaign`` a row or None (any), the enums
    lists of accepted values (empty: any)."""
    from .models import CallTally

    rows = CallTally.objects.filter(gym_id=gym.pk)
    if branch is not None:
        rows = rows.filter(branch_key=branch.pk)
    if campaign is not None:
        rows = rows.filter(campaign_key=campaign.pk)
    for name, values in (("direction", direction), ("status", status), ("outcome", outcome),
                         ("sentiment", sentiment)):
        if values:
            rows = rows.filter(**{f"{name}__in": values})
    return rows.aggregate(n=Sum("calls"))["n"] or 0

