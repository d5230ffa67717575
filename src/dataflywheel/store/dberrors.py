"""Database errors as product errors: the words a user can act on, never the SQL or its parameters.

Why: the driver's text carries the statement and its bound values (record contents, sometimes
governed data) and means nothing to a user. Only fields the product controls are used here: the
SQLSTATE or SQLite error name, the table and constraint names, and the messages of the product's
own triggers. The original error stays chained (`__cause__`) for `--debug`.

Mapping: a busy database (lock timeout, serialization failure, deadlock) is `Conflict`
(`Retryable`); a duplicate key is `AlreadyExists`; a refusal by a product trigger is
`PolicyViolation` with the trigger's message; an unreachable server is `WorkspaceError`;
anything else is `StoreFailure`, naming the kind of failure only. SQLite reports a row deleted
while another still points at it (`ON DELETE RESTRICT`) with the trigger code but its own
"FOREIGN KEY constraint failed" text: that is a missing reference, as on PostgreSQL, not a
product trigger's refusal.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from dataflywheel.errors import (
    AlreadyExists, Conflict, FlywheelError, PolicyViolation, StoreFailure, WorkspaceError,
)

KEPT = "nothing from this transaction was written"
_BUSY_STATES = {"40001", "40P01", "55P03", "55006"}
_BUSY_SQLITE = ("SQLITE_BUSY", "SQLITE_LOCKED")
_DUPLICATE = {"23505", "SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"}
_TRIGGER = {"23000", "SQLITE_CONSTRAINT_TRIGGER"}
_KINDS = {"23503": "a reference to a record that does not exist",
          "SQLITE_CONSTRAINT_FOREIGNKEY": "a reference to a record that does not exist",
          "23502": "a required value that is missing", "SQLITE_CONSTRAINT_NOTNULL":
          "a required value that is missing", "23514": "a value outside its allowed set",
          "SQLITE_CONSTRAINT_CHECK": "a value outside its allowed set"}


def code_of(exc: DBAPIError) -> str:
    """The SQLSTATE (PostgreSQL) or SQLite error name of the driver error, or its class name."""
    orig: Any = exc.orig
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
               or type(orig).__name__)


def product_error(exc: DBAPIError, *, where: str) -> FlywheelError:
    """The product error for a driver error raised while working on database `where`."""
    code = code_of(exc)
    if code == "SQLITE_CONSTRAINT_TRIGGER" and str(exc.orig).startswith("FOREIGN KEY constraint"):
        code = "SQLITE_CONSTRAINT_FOREIGNKEY"
    if code in _BUSY_STATES or code.startswith(_BUSY_SQLITE):
        return Conflict("the database is busy with another writer", got=code, kept=KEPT,
                        hint="retry the command")
    if code in _DUPLICATE:
        return AlreadyExists(f"a record with the same key already exists in {_target(exc)}",
                             got=code, kept=KEPT, hint="re-read the records and retry")
    if code in _TRIGGER:
        return PolicyViolation(f"the database refused the change: {_primary(exc)}", got=code,
                               kept=KEPT)
    if isinstance(exc, OperationalError) and not code[:1].isdigit() and "SQLITE" not in code:
        return WorkspaceError("cannot reach the database", path=where, got=code,
                              hint="check that the server is up and the URL is right")
    kind = _KINDS.get(code, "an unexpected database failure")
    return StoreFailure(f"internal error: the database refused the operation ({kind} in "
                        f"{_target(exc)})", path=where, got=code, kept=KEPT,
                        hint="rerun with --debug and report it")


def _target(exc: DBAPIError) -> str:
    """`table` or `table.column…` the failure is about, from fields that carry no values."""
    diag: Any = getattr(exc.orig, "diag", None)
    if diag is not None and diag.table_name:
        constraint = f" (constraint {diag.constraint_name})" if diag.constraint_name else ""
        return f"table {diag.table_name}{constraint}"
    text = str(exc.orig).splitlines()[0] if exc.orig is not None else ""
    head, sep, columns = text.partition(" constraint failed: ")
    if sep and head.isupper() and all(c.replace(".", "").replace("_", "").isalnum()
                                      for c in columns.replace(" ", "").split(",")):
        return columns
    return "the workspace database"


def _primary(exc: DBAPIError) -> str:
    """The message a product trigger raised (PostgreSQL's primary message, SQLite's whole text)."""
    diag: Any = getattr(exc.orig, "diag", None)
    text = (diag.message_primary if diag is not None else None) or str(exc.orig)
    return text.splitlines()[0] if text else "a rule of the workspace"
