"""One exception tree for the whole product.

Every error a user can cause is a `FlywheelError`. Each carries structured fields (where, what was
expected, what was got, what was kept, what to run next) and builds its one-line message from them,
so the CLI and the API render the same words. Nothing here imports a subpackage.
"""

from __future__ import annotations

import errno
from typing import Any

# The exit codes of `flywheel`, one meaning each, so that an orchestrator (Airflow, Prefect, cron)
# can tell a rejected batch from bad input from a crash. Every `FlywheelError` class names its
# code itself (tests/cli/test_exit_codes.py holds every class and every command to it).
EXIT_OK = 0
EXIT_FAILED = 1  # a gate, check or verification ran and said no
EXIT_BAD_INPUT = 2  # the input (a file, option, id, workspace named) is not what was expected
EXIT_INTERNAL = 70  # a bug or an unexpected failure: sysexits' EX_SOFTWARE
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGINT, as the shell reports it


class Terminal:
    """Marker: retrying the same call cannot succeed."""


class Retryable:
    """Marker: the same call may succeed later (a lock, a busy database)."""


class FlywheelError(Exception):
    """Base of every error the product raises on purpose.

    The message names where the problem is, what was expected, what was got, what was kept, and
    the next command to run, in that order, whichever of them are known.
    """

    exit_code = EXIT_BAD_INPUT
    http_status = 400

    def __init__(
        self,
        what: str,
        *,
        path: str | None = None,
        line: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        got: Any = None,
        kept: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.what = what
        self.path = path
        self.line = line
        self.field = field
        self.expected = expected
        self.got = got
        self.kept = kept
        self.hint = hint
        super().__init__(self._build())

    def _build(self) -> str:
        where = ":".join(str(p) for p in (self.path, self.line) if p is not None)
        parts = [f"{where}: {self.what}" if where else self.what]
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        if self.expected is not None:
            parts.append(f"expected {self.expected}")
        if self.got is not None:
            parts.append(f"got {_short(self.got)}")
        message = "; ".join(parts)
        if self.kept is not None:
            message += f". Kept: {self.kept}"
        if self.hint is not None:
            message += f". Next: {self.hint}"
        return message

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as the error it is (its message, every field), not as a call of `__init__`
        with the message, which a subclass with other arguments (`IllegalTransition`) refuses:
        a helper process or a Ray worker sends its errors back pickled."""
        return (_unpickled, (type(self), self.args), self.__dict__)

    def to_dict(self) -> dict[str, Any]:
        """The structured form used by `--json` output and the API error envelope."""
        return {
            "type": type(self).__name__,
            "message": str(self),
            "what": self.what,
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "expected": self.expected,
            "got": None if self.got is None else _short(self.got),
            "kept": self.kept,
            "hint": self.hint,
        }


def _unpickled(cls: type[FlywheelError], args: tuple[Any, ...]) -> FlywheelError:
    """An error of `cls` with `args` and no `__init__` call; pickle then restores its fields."""
    return cls.__new__(cls, *args)


def _short(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


class BadInput(FlywheelError, Terminal):
    """A file, option or document the user gave is not what was expected."""

    exit_code = EXIT_BAD_INPUT


class NotFound(FlywheelError, Terminal):
    """A record, file or object that was named does not exist."""

    exit_code = EXIT_BAD_INPUT
    http_status = 404


class AlreadyExists(FlywheelError, Terminal):
    """A record with this identity exists already; nothing was written."""

    exit_code = EXIT_BAD_INPUT
    http_status = 409


class IllegalTransition(FlywheelError, Terminal):
    """A state machine refused a move. Raised by the domain, never by storage."""

    exit_code = EXIT_BAD_INPUT
    http_status = 409

    def __init__(self, record: str, from_state: str, to_state: str, *, allowed: list[str]) -> None:
        self.record = record
        self.from_state = from_state
        self.to_state = to_state
        super().__init__(
            f"{record} cannot move from {from_state!r} to {to_state!r}",
            expected=("one of " + ", ".join(repr(a) for a in allowed)) if allowed else "no move (final state)",
        )


class PolicyViolation(FlywheelError, Terminal):
    """A rule of the house (RACI, immutability, approvals) refused the action."""

    exit_code = EXIT_BAD_INPUT
    http_status = 403


class NotBound(FlywheelError, Terminal):
    """The login a command runs under acts as no active person: it may read, but not write."""

    exit_code = EXIT_BAD_INPUT  # who runs the command is part of its input: bind, then retry
    http_status = 403


class Unauthenticated(FlywheelError, Terminal):
    """A server request carries no bearer token, or one that authenticates nobody now (unknown,
    revoked, expired, or its person offboarded)."""

    exit_code = EXIT_BAD_INPUT
    http_status = 401


class Conflict(FlywheelError, Retryable):
    """Someone else changed the same record first; re-read and try again."""

    exit_code = EXIT_BAD_INPUT  # the command, as given, cannot go through now; nothing was written
    http_status = 409


class ServerUnavailable(FlywheelError, Retryable):
    """The team server the CLI acts through cannot be reached, or stayed busy (429/503) past the
    retries; nothing was changed by this command."""

    exit_code = EXIT_INTERNAL  # not the user's input: an orchestrator retries it later
    http_status = 503


class WorkspaceError(FlywheelError, Terminal):
    """The workspace is missing, unwritable, or of another schema version."""

    exit_code = EXIT_BAD_INPUT  # the workspace named by --home/--db is the input at fault
    http_status = 500


class StoreFailure(WorkspaceError):
    """The database failed an operation the product did not expect to fail (an internal error).

    The message names the kind of failure and the table, never the SQL or its parameters."""

    exit_code = EXIT_INTERNAL  # not the user's input: an orchestrator must tell it from a bad batch


class IntegrityError(FlywheelError, Terminal):
    """Stored bytes or history do not match what was recorded (a blob or the audit chain)."""

    exit_code = EXIT_FAILED  # like `flywheel verify` finding it: a verification said no
    http_status = 500


def from_validation(exc: Any, *, source: str | None = None, what: str = "invalid input") -> BadInput:
    """Turn a pydantic `ValidationError` into one `BadInput` naming the first bad field."""
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or None
    more = f" ({len(errors)} problems)" if len(errors) > 1 else ""
    return BadInput(f"{what}{more}", path=source, field=where, expected=first.get("msg"),
                    got=first.get("input"))


# The errors of a path the user named (too long, missing, a directory, a file where a directory
# belongs, no permission): their input.
# Others (a full disk, an I/O error) are not the input's fault and stay internal errors.
_PATH_ERRNOS = frozenset({errno.ENAMETOOLONG, errno.ENOENT, errno.ENOTDIR, errno.EISDIR,
                          errno.EEXIST, errno.EACCES, errno.EPERM, errno.ELOOP})


def bad_path(exc: OSError) -> BadInput | None:
    """The `BadInput` for an `OSError` about a named path the user can fix, else None."""
    if exc.errno not in _PATH_ERRNOS or exc.filename is None:
        return None
    name = str(exc.filename)
    shown = name if len(name) <= 120 else f"{name[:60]}…{name[-40:]} ({len(name)} characters)"
    return BadInput(f"cannot use this path: {exc.strerror or 'unusable'}", path=shown,
                    hint="check the path and retry")
