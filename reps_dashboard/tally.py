"""Live row counts per gym and a few low-cardinality columns, kept by database triggers.

A list's ``total`` is the one number a page cannot get cheaply: counting a big gym's 500,000
leads or 2,000,000 calls reads every one of their index entries (30 to 150 ms) on every request.
A tally table keeps, per gym and combination of a few columns (branch, status, ...), how many rows
have it; a list filtered on nothing but those columns sums a handful of tally rows instead.

Database triggers keep a tally exact whatever writes the rows (services, admin, bulk imports, raw
SQL), in the writing transaction: statement-level triggers with transition tables on PostgreSQL
(one upsert per statement, however many rows it touched), row triggers on SQLite. ``install``
runs after every ``migrate`` (each owning app's ``post_migrate``): it creates missing triggers and
then rebuilds the tally from the rows, so a table rebuilt by a later SQLite migration (which drops
its triggers) heals itself. Tally tables carry ``gym_id``, so row-level security covers them like
every tenant table (tenants/rls.py).

A ``Tally`` names its source table, its tally table, the counter column and its key columns:
``Key("branch_key", "branch_id", nullable_id=True)`` stores a null id as the nil UUID and
``Key("outcome", "outcome", nullable_text=True)`` a null enum as "" (key columns are NOT NULL,
so the unique key that the upserts target works).
"""

from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import Sum

_NIL = {"postgresql": "'00000000-0000-0000-0000-000000000000'::uuid", "sqlite": "'00000000000000000000000000000000'"}


@dataclass(frozen=True)
class Key:
    column: str  # in the tally table
    source: str  # in the source table
    nullable_id: bool = False
    nullable_text: bool = False

    def expression(self, prefix: str, vendor: str) -> str:
        value = f"{prefix}{self.source}"
        if self.nullable_id:
            return f"coalesce({value}, {_NIL[vendor]})"
        if self.nullable_text:
            return f"coalesce({value}, '')"
        return value


@dataclass(frozen=True)
class Tally:
    name: str  # prefix of the trigger and function names
    source: str  # the counted table
    table: str  # the tally table
    counter: str  # its count column
    keys: tuple[Key, ...]  # gym_id first

    # --- SQL -------------------------------------------------------------------------------

    @property
    def triggers(self):
        return tuple(f"{self.name}_{op}" for op in ("insert", "update", "delete"))

    @property
    def key_sql(self):
        return ", ".join(k.column for k in self.keys)

    def _values(self, prefix, vendor):
        return ", ".join(k.expression(prefix, vendor) for k in self.keys)

    def _pg_apply(self, *sources):
        rows = " UNION ALL ".join(f"SELECT {self._values('', 'postgresql')}, {sign} FROM {table}"
                                  for table, sign in sources)
        # Sorted upserts: concurrent transactions lock tally rows in the same order (no deadlock).
        return (f"INSERT INTO {self.table} AS t ({self.key_sql}, {self.counter}) "
                f"SELECT {self.key_sql}, sum(delta) FROM ({rows}) AS changes ({self.key_sql}, delta) "
                f"GROUP BY {self.key_sql} HAVING sum(delta) <> 0 ORDER BY {self.key_sql} "
                f"ON CONFLICT ({self.key_sql}) DO UPDATE SET {self.counter} = t.{self.counter} + "
                f"EXCLUDED.{self.counter};")

    def _pg_prune(self, table):
        match = " AND ".join(f"t.{k.column} = gone.{k.column}" for k in self.keys)
        return (f"DELETE FROM {self.table} t USING (SELECT DISTINCT {self._values('', 'postgresql')} FROM {table}) "
                f"AS gone ({self.key_sql}) WHERE t.{self.counter} = 0 AND {match};")

    def _pg_body(self):
        return f"""
            BEGIN
                IF TG_OP = 'INSERT' THEN {self._pg_apply(("new_rows", 1))}
                ELSIF TG_OP = 'DELETE' THEN {self._pg_apply(("old_rows", -1))} {self._pg_prune("old_rows")}
                ELSE {self._pg_apply(("new_rows", 1), ("old_rows", -1))} {self._pg_prune("old_rows")}
                END IF;
                RETURN NULL;
            END """

    def _pg_create(self):
        insert, update, delete = self.triggers
        return [
            f"CREATE OR REPLACE FUNCTION {self.name}_apply() RETURNS trigger LANGUAGE plpgsql AS $${self._pg_body()}$$",
            *(f"DROP TRIGGER IF EXISTS {name} ON {self.source}" for name in self.triggers),
            f"CREATE TRIGGER {insert} AFTER INSERT ON {self.source} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {self.name}_apply()",
            f"CREATE TRIGGER {update} AFTER UPDATE ON {self.source} REFERENCING OLD TABLE AS old_rows "
            f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {self.name}_apply()",
            f"CREATE TRIGGER {delete} AFTER DELETE ON {self.source} REFERENCING OLD TABLE AS old_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {self.name}_apply()",
        ]

    def _sqlite_upsert(self, prefix, sign):
        return (f"INSERT INTO {self.table} ({self.key_sql}, {self.counter}) "
                f"VALUES ({self._values(prefix, 'sqlite')}, {sign}) "
                f"ON CONFLICT ({self.key_sql}) DO UPDATE SET {self.counter} = {self.counter} + excluded.{self.counter};")

    def _sqlite_prune(self):
        match = " AND ".join(f"{k.column} = {k.expression('OLD.', 'sqlite')}" for k in self.keys)
        return f"DELETE FROM {self.table} WHERE {self.counter} = 0 AND {match};"

    def _sqlite_create(self):
        insert, update, delete = self.triggers
        changed = " OR ".join(f"OLD.{k.source} IS NOT NEW.{k.source}" for k in self.keys)
        return [
            *(f"DROP TRIGGER IF EXISTS {name}" for name in self.triggers),
            f"CREATE TRIGGER {insert} AFTER INSERT ON {self.source} BEGIN {self._sqlite_upsert('NEW.', 1)} END",
            f"CREATE TRIGGER {delete} AFTER DELETE ON {self.source} "
            f"BEGIN {self._sqlite_upsert('OLD.', -1)} {self._sqlite_prune()} END",
            f"CREATE TRIGGER {update} AFTER UPDATE ON {self.source} WHEN {changed} "
            f"BEGIN {self._sqlite_upsert('OLD.', -1)} {self._sqlite_upsert('NEW.', 1)} {self._sqlite_prune()} END",
        ]

    def _rebuild_sql(self, vendor):
        values = self._values("", vendor)
        return [f"DELETE FROM {self.table}",
                f"INSERT INTO {self.table} ({self.key_sql}, {self.counter}) SELECT {values}, count(*) "
                f"FROM {self.source} GROUP BY {values}"]

    # --- operations ------------------------------------------------------------------------

    def _up_to_date(self, conn) -> bool:
        """Every trigger exists and says what this spec says (a spec changed by a later release
        replaces them)."""
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = ANY(%s)",
                               [self.source, list(self.triggers)])
                if cursor.fetchone()[0] != len(self.triggers):
                    return False
                cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [f"{self.name}_apply"])
                return [row[0] for row in cursor.fetchall()] == [self._pg_body()]
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [self.source])
            existing = {row[0] for row in cursor.fetchall()}
            return all(sql in existing for sql in self._sqlite_create() if sql.startswith("CREATE"))

    def _run(self, conn, statements):
        with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
            if conn.vendor == "postgresql":  # no row may change between the rebuild and the triggers
                cursor.execute(f"LOCK TABLE {self.source} IN SHARE ROW EXCLUSIVE MODE")
            for statement in statements:
                cursor.execute(statement)

    def install(self, using="default") -> bool:
        """Create (or replace) the triggers if any is missing or outdated, then rebuild the tally
        (one transaction). False when there was nothing to do."""
        conn = connections[using]
        tables = conn.introspection.table_names()
        if self.source not in tables or self.table not in tables:
            return False  # migrated to a point before this tally
        if self._up_to_date(conn):
            # After a flush the rows are gone, but their delete triggers may have fired after the
            # tally was emptied (SQLite deletes tables in no fixed order): no rows, no counts.
            with conn.cursor() as cursor:
                cursor.execute(f"DELETE FROM {self.table} WHERE NOT EXISTS (SELECT 1 FROM {self.source})")
            return False
        create = self._pg_create() if conn.vendor == "postgresql" else self._sqlite_create()
        self._run(conn, create + self._rebuild_sql(conn.vendor))
        return True

    def rebuild(self, using="default"):
        """Recount the tally from the rows (after a bulk load that ran with triggers disabled)."""
        conn = connections[using]
        self._run(conn, self._rebuild_sql(conn.vendor))


def tally_sum(model, *, gym, exact=None, any_of=None) -> int:
    """How many rows of the gym the tally ``model`` counts with ``exact`` ({tally column: id or
    value}) and ``any_of`` ({tally column: accepted values}; empty: any)."""
    rows = model.objects.filter(gym_id=gym.pk, **(exact or {}))
    for column, values in (any_of or {}).items():
        if values:
            rows = rows.filter(**{f"{column}__in": values})
    counter = model.tally.counter
    return rows.aggregate(n=Sum(counter))["n"] or 0


def tally_total(model, *, gym, filters, mapping):
    """The list total from the tally ``model`` for a FilterSet's used ``filters``, or None when one
    of them is not a tallied column (then the caller counts rows). ``mapping``: filter name ->
    (tally column, "id" for a model instance or "in" for a list of values)."""
    if not set(filters) <= set(mapping):
        return None
    exact, any_of = {}, {}
    for name, value in filters.items():
        column, kind = mapping[name]
        if kind == "id":
            exact[column] = value.pk
        else:
            any_of[column] = list(value)
    return tally_sum(model, gym=gym, exact=exact, any_of=any_of)


def all_tallies():
    from django.apps import apps

    return [model.tally for model in apps.get_models() if isinstance(getattr(model, "tally", None), Tally)]


def rebuild_all(using="default"):
    """Recount every tally (after a bulk load that ran with triggers disabled)."""
    for spec in all_tallies():
        spec.rebuild(using)


def install_for_app(sender, using="default", **kwargs):
    """``post_migrate`` receiver: install the tallies of the app's models (``connect``)."""
    for model in sender.get_models():
        spec = getattr(model, "tally", None)
        if isinstance(spec, Tally):
            spec.install(using)


def connect(app_config):
    """From an ``AppConfig.ready``: after every migrate (and flush) the app's tally triggers exist
    and its tallies are true."""
    from django.db.models.signals import post_migrate

    post_migrate.connect(install_for_app, sender=app_config, dispatch_uid=f"{app_config.label}.tally.install")
