"""A PostgreSQL database per test without a `CREATE DATABASE` per test.

Why: cloning the template (`CREATE DATABASE … TEMPLATE`) and dropping the clone cost about half a
second a test on the 2-core CI machine, ten times what most PostgreSQL tests spend in their own
body; putting a used clone back to the template's exact rows costs about 15 ms. So each pytest
process keeps one database per template and lends it to one test at a time (`DatabasePool`).

What a test gets is what a fresh clone would hold: after each test every table is emptied and the
template's rows copied back (binary COPY, taken from the clone when it was made), each sequence set
back to where it stood, and the connections the test left open are ended (as `DROP DATABASE … WITH
(FORCE)` did). A test that changed more than rows — a table, column, index, trigger, function,
schema or extension (`FINGERPRINT`) — gets its database dropped and a new clone for the next test,
unless undoing what it added (`_undo_schema_changes`) brings back the fingerprint the clone was made
with. Any failure of the reset drops the clone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

# Everything but rows that a test could change, as one digest (system schemas left out).
FINGERPRINT = """
SELECT md5(concat_ws('|',
  (SELECT string_agg(nspname || ':' || pg_get_userbyid(nspowner) || ':'
                     || coalesce(nspacl::text, ''), ',' ORDER BY nspname)
     FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'),
  (SELECT string_agg(table_schema || '.' || table_name || '.' || column_name || ':' || data_type
                     || ':' || coalesce(column_default, ''), ',' ORDER BY 1)
     FROM information_schema.columns
    WHERE table_schema NOT LIKE 'pg\\_%' AND table_schema <> 'information_schema'),
  (SELECT string_agg(schemaname || ':' || indexdef, ',' ORDER BY 1) FROM pg_indexes
    WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname <> 'information_schema'),
  (SELECT string_agg(conrelid::regclass::text || ':' || pg_get_constraintdef(oid), ',' ORDER BY 1)
     FROM pg_constraint WHERE connamespace NOT IN (SELECT oid FROM pg_namespace
                                                   WHERE nspname LIKE 'pg\\_%'
                                                      OR nspname = 'information_schema')),
  (SELECT string_agg(tgrelid::regclass::text || ':' || tgname || ':' || tgenabled::text, ','
                     ORDER BY 1)
     FROM pg_trigger WHERE NOT tgisinternal),
  (SELECT string_agg(p.oid::regprocedure::text || ':' || md5(p.prosrc), ',' ORDER BY 1)
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'),
  (SELECT string_agg(c.oid::regclass::text || ':' || c.relkind::text, ',' ORDER BY 1)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'),
  (SELECT string_agg(extname || ':' || extversion, ',' ORDER BY 1) FROM pg_extension)
))"""

TABLES = "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables " \
         "WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname <> 'information_schema' ORDER BY 1"
SEQUENCES = "SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) FROM pg_sequences"
INDEXES = "SELECT quote_ident(schemaname) || '.' || quote_ident(indexname) FROM pg_indexes " \
          "WHERE schemaname NOT LIKE 'pg\\_%' AND schemaname <> 'information_schema'"
USER_SCHEMAS = "SELECT quote_ident(nspname) FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' " \
               "AND nspname <> 'information_schema'"


class ReusableDatabase:
    """One clone of `template` (None: an empty database), lent to one test at a time; `prepare`,
    given the clone's URL, adds what every test of its kind starts from (tables, for `database`)."""

    def __init__(self, url: str, template: str | None,
                 prepare: Callable[[str], None] | None = None) -> None:
        self.url = url
        self.template = template
        self.prepare = prepare
        self.name = ""
        self.conn: Any = None
        self._create()

    @property
    def test_url(self) -> str:
        from sqlalchemy import make_url

        return make_url(self.url).set(database=self.name).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        from sqlalchemy import text

        from team_helpers import admin_engine

        admin = admin_engine(self.url)
        try:
            with admin.connect() as conn:
                conn.execute(text(sql))
        finally:
            admin.dispose()

    def _create(self) -> None:
        import psycopg

        self.name = f"t_{uuid.uuid4().hex[:12]}"
        clause = f' TEMPLATE "{self.template}" STRATEGY WAL_LOG' if self.template else ""
        self._admin(f'CREATE DATABASE "{self.name}"{clause}')
        if self.prepare is not None:
            self.prepare(self.test_url)
        plain = self.test_url.replace("postgresql+psycopg://", "postgresql://")
        self.conn = psycopg.connect(plain, autocommit=True)
        self.tables = [row[0] for row in self.conn.execute(TABLES)]
        self.rows: dict[str, bytes] = {}
        for table in self.tables:
            with self.conn.cursor().copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                data = b"".join(bytes(chunk) for chunk in copy)
            if self.conn.execute(f"SELECT EXISTS (SELECT FROM {table})").fetchone()[0]:
                self.rows[table] = data
        self.sequences = [(name, *self.conn.execute(f"SELECT last_value, is_called FROM {name}")
                           .fetchone()) for (name,) in self.conn.execute(SEQUENCES).fetchall()]
        self.indexes = {row[0] for row in self.conn.execute(INDEXES)}
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> str:
        return str(self.conn.execute(FINGERPRINT).fetchone()[0])

    def reset(self) -> None:
        """Back to the template's rows, or a new clone when the test changed more than rows."""
        try:
            self.conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            if self._fingerprint() != self.fingerprint and not self._undo_schema_changes():
                raise LookupError("the test changed the schema")
            with self.conn.transaction():
                self.conn.execute("SET LOCAL session_replication_role = replica")  # FKs, seals
                for table in self.tables:
                    self.conn.execute(f"DELETE FROM {table}")
                cursor = self.conn.cursor()
                for table, data in self.rows.items():
                    with cursor.copy(f"COPY {table} FROM STDIN (FORMAT binary)") as copy:
                        copy.write(data)
                for name, last_value, is_called in self.sequences:
                    self.conn.execute("SELECT setval(%s, %s, %s)", (name, last_value, is_called))
        except Exception:  # noqa: BLE001 - whatever went wrong, a new clone is clean
            self.drop()
            self._create()

    def _undo_schema_changes(self) -> bool:
        """Undo what a test may add beside rows, as long as that is all it changed: an index
        made on first use (the knowledge base's full-text index) is dropped; an empty database
        has its schemas dropped and `public` made as PostgreSQL makes it."""
        with self.conn.transaction():
            if self.template is None and self.prepare is None:
                for (schema,) in self.conn.execute(USER_SCHEMAS).fetchall():
                    self.conn.execute(f"DROP SCHEMA {schema} CASCADE")
                self.conn.execute("CREATE SCHEMA public AUTHORIZATION pg_database_owner")
                self.conn.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
                self.conn.execute("COMMENT ON SCHEMA public IS 'standard public schema'")
            else:
                for index in {row[0] for row in self.conn.execute(INDEXES)} - self.indexes:
                    self.conn.execute(f"DROP INDEX {index}")
        return self._fingerprint() == self.fingerprint

    def drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class DatabasePool:
    """This process's reusable databases, one per server and template (or kind of `prepare`,
    named by `kind`); dropped at the end."""

    def __init__(self) -> None:
        self.databases: dict[tuple[str, str | None, str], ReusableDatabase] = {}

    def get(self, url: str, template: str | None, prepare: Callable[[str], None] | None = None,
            kind: str = "") -> ReusableDatabase:
        key = (url, template, kind)
        if key not in self.databases:
            self.databases[key] = ReusableDatabase(url, template, prepare)
        return self.databases[key]

    def close(self) -> None:
        for database in self.databases.values():
            database.drop()
        self.databases.clear()
