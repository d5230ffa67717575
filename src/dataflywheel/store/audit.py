"""The audit log: every change appended in the same transaction, hash-chained, with signed heads.

Format (docs/integrity.md): `entry_hash = sha256(canonical_json({seq, at, actor, action,
record_kind, record_id, before_digest, after_digest, reason, prev_hash}))`; the first entry follows
`GENESIS_HASH`, each later one its predecessor's `entry_hash`.

Guarantees:
- `append_audit` serialises writers (PostgreSQL: `pg_advisory_xact_lock`; SQLite: the write lock is
  taken before the head is read), and `prev_hash` is UNIQUE, so the chain never forks.
- `verify_chain` names every entry whose hash, link or sequence number is wrong, first one first:
  an edit, a delete, a reorder or a forged entry is detected.
- `verify_head` checks a head signed by `export_head` (Ed25519, key outside the database):
  truncation and a full rewrite are detected too.
- `verify_after_head` is the incremental verify: the signed head, then only its entry and those
  after it (entries before the head are not re-checked).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, Literal, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.orm import Session

from dataflywheel import canonjson
from dataflywheel.atomicfile import fsync_dir
from dataflywheel.errors import BadInput, Conflict, NotFound, PolicyViolation, WorkspaceError
from dataflywheel.store import audit_scan
from dataflywheel.store.allocator import lock_writers
from dataflywheel.store.bulk import insert_rows
from dataflywheel.store.tables.audit import GENESIS_HASH, AuditEntryRow

HEAD_FORMAT = "flywheel-audit-head/1"
_LIMITS = {"actor": 200, "action": 100, "record_kind": 100, "record_id": 200}
_HEX64 = r"^[0-9a-f]{64}$"
_TABLE = cast(Table, AuditEntryRow.__table__)
BODY_KEYS = ("seq", "at", "actor", "action", "record_kind", "record_id", "before_digest",
             "after_digest", "reason", "prev_hash")


class AuditEntry(BaseModel):
    """One audit entry as read back (the domain form of an `audit_entries` row)."""

    model_config = ConfigDict(frozen=True, from_attributes=True)

    seq: int
    at: datetime
    actor: str
    action: str
    record_kind: str
    record_id: str
    before_digest: str | None
    after_digest: str | None
    reason: str | None
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class ChainProblem:
    """One thing wrong with the chain: the entry (`seq`), what is wrong, and both values."""

    seq: int
    kind: Literal["hash", "link", "gap", "truncated", "rewritten", "signature"]
    detail: str
    expected: str | None = None
    actual: str | None = None

    def __str__(self) -> str:
        both = f"; expected {self.expected}, got {self.actual}" if self.expected or self.actual else ""
        return f"audit entry {self.seq}: {self.detail}{both}"


# --- canonical form ------------------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """The bytes hashes are taken over: `dataflywheel.canonjson.canonical_json`, its refusals
    told as the audit digest's."""
    try:
        return canonjson.canonical_json(value)
    except TypeError as exc:
        raise BadInput("cannot put a value into the audit digest", expected="JSON-like values",
                       got=str(exc)) from None
    except ValueError as exc:
        raise BadInput("cannot put a value into the audit digest", expected="finite numbers",
                       got=f"NaN or infinity ({exc})") from None


def digest(record: Mapping[str, Any] | None) -> str | None:
    """sha256 of a record dict's canonical JSON, or None when there is no record."""
    return None if record is None else hashlib.sha256(canonical_json(dict(record))).hexdigest()


def iso(at: datetime) -> str:
    """The timestamp form inside the hashed body: UTC, microseconds, explicit offset."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash_of(fields: Mapping[str, Any]) -> str:
    """The hash of one entry from its stored fields (everything but `entry_hash`)."""
    body = {key: fields[key] for key in BODY_KEYS} | {"at": iso(fields["at"])}
    return hashlib.sha256(canonical_json(body)).hexdigest()


# --- appending -----------------------------------------------------------------------------------


def append_audit(
    session: Session, *, actor: str, action: str, record_kind: str, record_id: str,
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None,
    reason: str | None = None, at: datetime | None = None,
) -> AuditEntry:
    """Append one entry inside the caller's transaction; it commits or rolls back with the change.

    Raises `BadInput` for an empty or over-long field or a naive `at`, and `Conflict` if another
    writer took the same place in the chain (only possible when the lock was bypassed).
    """
    values = {"actor": actor, "action": action, "record_kind": record_kind, "record_id": record_id}
    _check_fields(values, at)
    before_digest, after_digest = digest(before), digest(after)
    _lock_head(session)
    head_seq, head_hash = _head(session)
    fields: dict[str, Any] = {
        **values, "seq": head_seq + 1, "at": (at or datetime.now(UTC)).astimezone(UTC),
        "before_digest": before_digest, "after_digest": after_digest, "reason": reason,
        "prev_hash": head_hash,
    }
    row = AuditEntryRow(**fields, entry_hash=entry_hash_of(fields))
    session.add(row)
    try:
        session.flush([row])
    except DBIntegrityError:
        raise _forked(head_seq + 1) from None
    return AuditEntry.model_validate(row)


@dataclass(frozen=True)
class PendingEntry:
    """One entry for `append_audit_many`: who changed what, with the digests already taken."""

    actor: str
    action: str
    record_kind: str
    record_id: str
    before_digest: str | None
    after_digest: str | None
    reason: str | None = None


def append_audit_many(session: Session, entries: Sequence[PendingEntry],
                      *, at: datetime | None = None) -> int:
    """Append `entries` in order inside the caller's transaction: one lock, one head read, one
    bulk insert (`store.bulk`); the hashes are those `append_audit` would give one by one (same body, same
    chain). Returns the `seq` of the last entry (the head's when `entries` is empty).

    Why: a bulk ingest pays the lock, the head query and a flush per entry otherwise. Same
    refusals as `append_audit` (`BadInput` names the first bad field, `Conflict` a forked chain).
    """
    stamp = (at or datetime.now(UTC)).astimezone(UTC)
    for entry in entries:
        _check_fields({"actor": entry.actor, "action": entry.action,
                       "record_kind": entry.record_kind, "record_id": entry.record_id}, at)
    _lock_head(session)
    head_seq, head_hash = _head(session)
    if not entries:
        return head_seq
    rows: list[dict[str, Any]] = []
    at_text = iso(stamp)  # one time for the whole batch: formatted once
    for offset, entry in enumerate(entries, start=1):
        seq = head_seq + offset
        fields: dict[str, Any] = {
            "actor": entry.actor, "action": entry.action, "record_kind": entry.record_kind,
            "record_id": entry.record_id, "seq": seq, "at": stamp,
            "before_digest": entry.before_digest, "after_digest": entry.after_digest,
            "reason": entry.reason, "prev_hash": head_hash,
        }
        try:
            head_hash = _body_hash(seq, at_text, entry.actor, entry.action, entry.record_kind,
                                   entry.record_id, entry.before_digest, entry.after_digest,
                                   entry.reason, head_hash)
        except (TypeError, ValueError):  # not plain text: the definition hashes or refuses it
            head_hash = entry_hash_of(fields)
        fields["entry_hash"] = head_hash
        rows.append(fields)
    try:
        insert_rows(session, _TABLE, rows)
    except DBIntegrityError:
        raise _forked(head_seq + 1) from None
    return head_seq + len(rows)


def _forked(seq: int) -> Conflict:
    return Conflict(f"another writer appended audit entry {seq} first",
                    kept="nothing from this transaction", hint="retry the command")


def _check_fields(values: Mapping[str, str], at: datetime | None) -> None:
    for name, value in values.items():
        if not isinstance(value, str) or not value.strip():
            raise BadInput("audit entry field is empty", field=name, expected="a non-empty string",
                           got=value)
        if len(value) > _LIMITS[name]:
            raise BadInput("audit entry field is too long", field=name,
                           expected=f"at most {_LIMITS[name]} characters", got=value)
    if at is not None and at.tzinfo is None:
        raise BadInput("audit time has no time zone", field="at",
                       expected="a timezone-aware datetime", got=at.isoformat())


def _lock_head(session: Session) -> None:
    """Take the writers' lock that makes read-head-then-insert safe; held until the transaction ends
    (the same lock the id allocator takes, so the two never wait on each other)."""
    lock_writers(session)


def _head_row(session: Session) -> Any:
    table = _TABLE
    columns = (table.c.seq, table.c.entry_hash, table.c.at)
    return session.execute(select(*columns).order_by(table.c.seq.desc()).limit(1)).first()


def _head(session: Session) -> tuple[int, str]:
    row = _head_row(session)
    return (0, GENESIS_HASH) if row is None else (int(row.seq), str(row.entry_hash))


# --- verifying -----------------------------------------------------------------------------------


def verify_chain(session: Session) -> list[ChainProblem]:
    """Re-hash and re-link every entry in `seq` order; return the problems, first bad entry first.

    An empty list means the chain is intact from the genesis to its last entry (truncation of the
    tail is only visible against a signed head: see `verify_head`).
    """
    return _walk(session, after_seq=0, prev_hash=GENESIS_HASH).problems


@dataclass(frozen=True)
class ChainWalk:
    """What one walk over the chain checked: the entries `first_seq..last_seq` as stored (`checked`
    rows; none when 0) and the problems found there, first bad entry first."""

    first_seq: int
    last_seq: int
    checked: int
    problems: list[ChainProblem]


# The hashed body (`entry_hash_of`) spelled out as text: canonical JSON of the body, keys in
# sorted order; `_body_hash` fills it for the walk and the batch append.
# tests/store/test_audit_walk.py and test_audit_batch.py hold the two equal.
_BODY = ('{"action":%s,"actor":%s,"after_digest":%s,"at":"%s","before_digest":%s,"prev_hash":%s,'
         '"reason":%s,"record_id":%s,"record_kind":%s,"seq":%d}')


def _body_hash(seq: int, at_text: str, actor: str, action: str, kind: str, record_id: str,
               before: str | None, after: str | None, reason: str | None, link: str) -> str:
    """`entry_hash_of` over the body's parts, built as text (`_BODY`) instead of a dict through
    `json.dumps`: the walk and the batch append hash every entry, and this is 3x cheaper.
    `TypeError` for a value that is not text (the caller falls back to the definition)."""
    text = encode_basestring
    return hashlib.sha256((_BODY % (
        text(action), text(actor), "null" if after is None else text(after), at_text,
        "null" if before is None else text(before), text(link),
        "null" if reason is None else text(reason), text(record_id), text(kind), seq,
    )).encode()).hexdigest()


def _walk(session: Session, *, after_seq: int, prev_hash: str) -> ChainWalk:
    """Check the entries after `after_seq`, the first one linked to `prev_hash`.

    Raw rows in large batches (`store.audit_scan`); each body is built as text and hashed in one
    pass. An entry whose fast hash does not match is checked again the exact way (`_check_entry`
    over the row as an ORM read gives it), so a problem is reported exactly as before and a value
    the fast form does not take (bytes in a text column, a time stored in another form) is judged
    by the definition.
    """
    stored_at = audit_scan.stored_at(session, _TABLE)
    at_text = audit_scan.at_text(stored_at, iso)
    problems: list[ChainProblem] = []
    prev_seq, first_seq, checked = after_seq, after_seq + 1, 0
    for rows in audit_scan.raw_batches(session, _TABLE, after_seq=after_seq):
        for row in rows:
            seq, at, actor, action, kind, record_id, before, after, reason, link, stored = row
            try:
                intact = seq == prev_seq + 1 and link == prev_hash and _body_hash(
                    seq, at_text(at), actor, action, kind, record_id, before, after, reason, link,
                ) == stored
            except (TypeError, ValueError):
                intact = False
            if not intact:
                fields = dict(zip(audit_scan.COLUMNS, row, strict=True)) | {"at": stored_at(at)}
                if (problem := _check_entry(fields, prev_seq, prev_hash)) is not None:
                    problems.append(problem)
            prev_seq, prev_hash = seq, stored
        first_seq = first_seq if checked else rows[0][0]
        checked += len(rows)
    return ChainWalk(first_seq=first_seq, last_seq=prev_seq, checked=checked, problems=problems)


def _check_entry(row: Mapping[Any, Any], prev_seq: int, prev_hash: str) -> ChainProblem | None:
    seq = row["seq"]
    if seq != prev_seq + 1:
        missing = f"entry {prev_seq + 1}" if seq == prev_seq + 2 else f"entries {prev_seq + 1}..{seq - 1}"
        return ChainProblem(seq, "gap", f"{missing} missing before it (deleted or renumbered)",
                            expected=f"seq {prev_seq + 1}", actual=f"seq {seq}")
    if row["prev_hash"] != prev_hash:
        after = f"entry {prev_seq}" if prev_seq else "the genesis"
        return ChainProblem(seq, "link", f"does not follow {after} (deleted, reordered or inserted)",
                            expected=f"prev_hash {prev_hash}", actual=f"prev_hash {row['prev_hash']}")
    recomputed = entry_hash_of(row)
    if recomputed != row["entry_hash"]:
        return ChainProblem(seq, "hash", "content does not match its hash (edited or forged)",
                            expected=f"entry_hash {row['entry_hash']}", actual=f"entry_hash {recomputed}")
    return None


# --- signed heads --------------------------------------------------------------------------------


class SignedHead(BaseModel):
    """A chain head signed with the audit key: keep it outside the database to detect rewrites."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["flywheel-audit-head/1"]
    seq: int = Field(ge=0)
    entry_hash: str = Field(pattern=_HEX64)
    at: str | None
    public_key: str = Field(pattern=_HEX64)
    signature: str = Field(pattern=r"^[0-9a-f]{128}$")

    def payload(self) -> bytes:
        """The bytes the signature covers: everything but the signature, canonical JSON."""
        return canonical_json(self.model_dump(exclude={"signature"}))


def export_head(session: Session, key_path: Path) -> dict[str, Any]:
    """Sign the current head (seq, entry_hash, at) with the Ed25519 key at `key_path`.

    The key is created with mode 0600 on first use. An empty log exports seq 0 and the genesis hash.
    """
    key = load_or_create_key(key_path)
    row = _head_row(session)
    unsigned = {
        "format": HEAD_FORMAT, "seq": 0 if row is None else int(row.seq),
        "entry_hash": GENESIS_HASH if row is None else str(row.entry_hash),
        "at": None if row is None else iso(row.at), "public_key": public_key_hex(key.public_key()),
    }
    signature = key.sign(canonical_json(unsigned)).hex()
    return SignedHead(**unsigned, signature=signature).model_dump()


def parse_head(head: Mapping[str, Any], *, source: str | None = None) -> SignedHead:
    """Validate a head document; `BadInput` names the first wrong field."""
    try:
        return SignedHead.model_validate(dict(head))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BadInput("not a signed audit head", path=source,
                       field=".".join(str(p) for p in first["loc"]) or None,
                       expected=first["msg"], hint="export one with `flywheel audit head`") from None


def verify_head(
    session: Session, head: Mapping[str, Any], public_key: Ed25519PublicKey | bytes | str
) -> list[ChainProblem]:
    """Check a signed head against the log: a bad signature, truncation or rewrite is a problem."""
    signed = parse_head(head)
    key = load_public_key(public_key) if isinstance(public_key, bytes | str) else public_key
    try:
        key.verify(bytes.fromhex(signed.signature), signed.payload())
    except InvalidSignature:
        return [ChainProblem(signed.seq, "signature",
                             "the head's signature does not verify with this public key "
                             "(head altered or signed by another key)",
                             expected=f"public key {public_key_hex(key)}",
                             actual=f"public key {signed.public_key}")]
    if signed.seq == 0:
        return []
    table = _TABLE
    stored = session.execute(select(table.c.entry_hash).where(table.c.seq == signed.seq)).scalar()
    if stored is None:
        last, _ = _head(session)
        return [ChainProblem(signed.seq, "truncated",
                             f"named by the signed head but absent; the log ends at entry {last}",
                             expected=f"entry_hash {signed.entry_hash}", actual="no entry")]
    if stored != signed.entry_hash:
        return [ChainProblem(signed.seq, "rewritten", "differs from the signed head (history rewritten)",
                             expected=f"entry_hash {signed.entry_hash}", actual=f"entry_hash {stored}")]
    return []


def verify_after_head(
    session: Session, head: Mapping[str, Any], public_key: Ed25519PublicKey | bytes | str
) -> ChainWalk:
    """The incremental verify, O(entries after the head): `verify_head`, then the head's own entry
    re-hashed and every entry after it re-hashed and re-linked from it.

    A head that does not verify (bad signature, truncated, rewritten: any edit at or before the
    head that changed the head entry's stored hash) is refused: its problems come back and nothing
    after it is walked (`checked` is 0). Entries *before* the head are NOT re-checked: an edit
    there that left the head entry's hash as stored is only found by `verify_chain`.
    """
    signed = parse_head(head)
    if problems := verify_head(session, head, public_key):
        return ChainWalk(first_seq=signed.seq, last_seq=signed.seq, checked=0, problems=problems)
    if signed.seq == 0:
        return _walk(session, after_seq=0, prev_hash=GENESIS_HASH)
    table = _TABLE
    link = session.execute(select(table.c.prev_hash).where(table.c.seq == signed.seq)).scalar_one()
    return _walk(session, after_seq=signed.seq - 1, prev_hash=link)


# --- the signing key -----------------------------------------------------------------------------


def load_or_create_key(path: Path, *, create: bool = True) -> Ed25519PrivateKey:
    """The Ed25519 key at `path`, created (PEM, mode 0600, parent 0700) when absent and `create`.

    Refuses a key file that group or others can read, and a file that is not an Ed25519 key.
    """
    if not path.exists():
        if not create:
            raise NotFound("no audit key", path=str(path),
                           hint="pass --public-key FILE, or set FLYWHEEL_AUDIT_KEY to the key that signed")
        _create_key(path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PolicyViolation("the audit key is readable by others", path=str(path),
                              expected="mode 0600", got=oct(mode), hint=f"chmod 600 {path}")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise BadInput("not an Ed25519 private key", path=str(path),
                       expected="an unencrypted PKCS8 PEM key made by `flywheel audit head`",
                       hint="move the file away to create a new key (old heads stay verifiable "
                            "only with the old public key)")
    return key


def _create_key(path: Path) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):  # never replace a key made meanwhile
            os.link(temp, path)
        os.unlink(temp)
        fsync_dir(path.parent)
    except OSError as exc:
        raise WorkspaceError("cannot create the audit key", path=str(path),
                             got=exc.strerror or str(exc),
                             hint="set FLYWHEEL_AUDIT_KEY to a writable place") from None


def public_key_hex(key: Ed25519PublicKey) -> str:
    """The raw 32-byte public key as 64 hex digits (the form heads carry)."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def load_public_key(value: bytes | str) -> Ed25519PublicKey:
    """An Ed25519 public key from 32 raw bytes, 64 hex digits, or a PEM `PUBLIC KEY` block."""
    data = value.encode() if isinstance(value, str) else value
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data.lstrip())
        else:
            raw = data if len(data) == 32 else bytes.fromhex(data.decode("ascii").strip())
            key = Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise BadInput("not an Ed25519 public key",
                       expected="64 hex digits, 32 raw bytes or a PEM PUBLIC KEY block")
    return key
