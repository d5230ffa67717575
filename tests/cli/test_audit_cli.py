"""`flywheel audit verify|head` through the real entry point, on each backend."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, update

from dataflywheel.flows.workspace import Workspace
from dataflywheel.settings import Settings
from dataflywheel.store.tables.audit import AuditEntryRow

AUDIT = AuditEntryRow.__table__


@pytest.fixture
def key_path(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CLI builds its own Settings from the environment: point it at this test's key."""
    monkeypatch.setenv("FLYWHEEL_AUDIT_KEY", str(settings.audit_key_path))
    return settings.audit_key_path


@pytest.fixture
def people(ws: Workspace, cli: Any) -> int:
    """A few audited changes made through the CLI; returns the number of audit entries."""
    for person in ("ann", "bo", "cy"):
        assert cli("people", "add", person, person.title(), "--role", "data_engineer").code == 0
    result = cli("audit", "verify", "--json")
    assert result.code == 0, result.err
    return int(result.json()["entries"])


@pytest.fixture
def local(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """The CLI on an embedded SQLite workspace only, for checks that do not depend on the backend."""
    from clirun import flywheel

    monkeypatch.setenv("FLYWHEEL_AUDIT_KEY", str(tmp_path / "audit.key"))
    home = tmp_path / "home"
    home.mkdir()

    def call(*args: str) -> Any:
        return flywheel(capsys, home, *args)

    assert call("init").code == 0
    assert call("people", "add", "ann", "Ann", "--role", "data_owner").code == 0
    return call


def _tamper(ws: Workspace, statement: Any) -> None:
    with ws.db.unit_of_work() as session:
        session.execute(statement)


def test_an_intact_log_verifies(people: int, cli: Any) -> None:
    result = cli("audit", "verify")
    assert result.code == 0, result.err
    assert result.out.strip() == f"ok: {people} audit entries, chain intact"


def test_an_edit_is_named_as_the_first_bad_entry(ws: Workspace, people: int, cli: Any) -> None:
    _tamper(ws, update(AUDIT).where(AUDIT.c.seq == 3).values(actor="mallory"))
    result = cli("audit", "verify")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines[0].startswith("audit entry 3: content does not match its hash (edited or forged); "
                               "expected entry_hash ")
    assert lines[-1] == (
        f"error: the audit log is not intact: first bad entry is 3 (hash); 1 problem(s) in "
        f"{people} entries. Kept: nothing was changed. Next: compare with a backup and a signed "
        "head to find what was altered"
    )


def test_a_delete_is_named_in_json(ws: Workspace, people: int, cli: Any) -> None:
    _tamper(ws, delete(AUDIT).where(AUDIT.c.seq == 2))
    result = cli("audit", "verify", "--json")
    assert result.code == 1
    report = result.json()
    assert report["ok"] is False and report["entries"] == people - 1
    assert [(p["seq"], p["kind"]) for p in report["problems"]] == [(3, "gap")]


def test_head_exports_a_signed_head_and_creates_a_private_key(
    people: int, cli: Any, key_path: Path, tmp_path: Path
) -> None:
    assert not key_path.exists()
    out = tmp_path / "head.json"
    result = cli("audit", "head", "--out", str(out))
    assert result.code == 0, result.err
    assert result.out.strip() == f"wrote the signed head of entry {people} to {out} (key {key_path})"
    head = json.loads(out.read_text())
    assert head["seq"] == people and head["format"] == "flywheel-audit-head/1"
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    assert cli("audit", "head").json() == head  # stdout form; same key, same head
    verified = cli("audit", "verify", "--head", str(out))
    assert verified.code == 0, verified.err
    assert verified.out.strip() == (
        f"ok: {people} audit entries, chain intact; the signed head at entry {people} matches"
    )


def test_truncation_is_caught_by_the_signed_head(
    ws: Workspace, people: int, cli: Any, key_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "head.json"
    assert cli("audit", "head", "--out", str(out)).code == 0
    _tamper(ws, delete(AUDIT).where(AUDIT.c.seq == people))
    assert cli("audit", "verify").code == 0  # the chain alone cannot see a cut tail
    result = cli("audit", "verify", "--head", str(out))
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(
        f"audit entry {people}: named by the signed head but absent; the log ends at entry {people - 1}"
    )


def test_a_public_key_file_can_check_the_head(local: Any, tmp_path: Path) -> None:
    out = tmp_path / "head.json"
    assert local("audit", "head", "--out", str(out)).code == 0
    public = tmp_path / "audit.pub"
    public.write_text(json.loads(out.read_text())["public_key"] + "\n")
    assert local("audit", "verify", "--head", str(out), "--public-key", str(public)).code == 0
    other = tmp_path / "other.pub"
    other.write_text("11" * 32)
    result = local("audit", "verify", "--head", str(out), "--public-key", str(other))
    assert result.code == 1
    assert "the head's signature does not verify with this public key" in result.err


def test_verify_head_without_the_key_says_what_to_pass(local: Any, tmp_path: Path) -> None:
    out = tmp_path / "head.json"
    assert local("audit", "head", "--out", str(out)).code == 0
    missing = tmp_path / "nokey"
    result = local("audit", "verify", "--head", str(out), "--key", str(missing))
    assert result.code == 2
    assert result.err.strip() == (
        f"error: {missing}: no audit key. Next: pass --public-key FILE, or set FLYWHEEL_AUDIT_KEY "
        "to the key that signed"
    )
    assert not missing.exists()  # verifying never creates a key


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{bad", ("{path}:1: not JSON; expected a signed head written by `flywheel audit head`; "
         "got 'Expecting property name enclosed in double quotes'")),
        ("[1, 2]", "{path}: not a signed audit head; expected a JSON object; got 'list'"),
        ('{"format": "flywheel-audit-head/1"}', ("{path}: not a signed audit head; field 'seq'; "
         "expected Field required. Next: export one with `flywheel audit head`")),
    ],
)
def test_a_bad_head_file_is_one_clear_line(
    local: Any, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "head.json"
    path.write_text(content)
    result = local("audit", "verify", "--head", str(path))
    assert result.code == 2
    assert result.err.strip() == "error: " + message.format(path=path)
    assert path.read_text() == content


def test_a_missing_head_file_is_named(local: Any, tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    result = local("audit", "verify", "--head", str(path))
    assert result.code == 2
    assert result.err.strip() == f"error: {path}: file not found. Next: check the path"


def test_an_unwritable_out_file_writes_nothing(local: Any, tmp_path: Path) -> None:
    out = tmp_path / "no-such-dir" / "head.json"
    result = local("audit", "head", "--out", str(out))
    assert result.code == 2
    assert result.err.strip() == (
        f"error: {out}: cannot write the head: No such file or directory. Kept: nothing was "
        "written. Next: choose another --out"
    )
    assert not out.parent.exists()


# --- the incremental verify ----------------------------------------------------------------------


@pytest.fixture
def head_then_more(people: int, cli: Any, key_path: Path, tmp_path: Path) -> Path:
    """A head signed after the `people` entries, then one more audited change; its file."""
    out = tmp_path / "head.json"
    assert cli("audit", "head", "--out", str(out)).code == 0
    assert cli("people", "add", "dee", "Dee", "--role", "data_engineer").code == 0
    return out


def test_incremental_verify_checks_from_the_head_and_says_what_it_skipped(
    people: int, cli: Any, head_then_more: Path
) -> None:
    out = head_then_more
    last = int(cli("audit", "verify", "--json").json()["entries"])
    result = cli("audit", "verify", "--head", str(out), "--incremental")
    assert result.code == 0, result.err
    assert result.out.strip() == (
        f"ok: the signed head at entry {people} matches; entries {people}..{last} "
        f"({last - people + 1} re-hashed and re-linked), chain intact from the head; entries "
        f"1..{people - 1} before the head were NOT re-checked (`flywheel audit verify` checks the "
        "whole chain)"
    )
    report = cli("audit", "verify", "--head", str(out), "--incremental", "--json").json()
    assert report == {"ok": True, "incremental": True, "head_seq": people,
                      "checked": last - people + 1, "first_seq": people, "last_seq": last,
                      "not_rechecked": f"entries 1..{people - 1} (before the signed head)",
                      "problems": []}


def test_incremental_verify_names_an_edit_after_the_head(
    ws: Workspace, people: int, cli: Any, head_then_more: Path
) -> None:
    out = head_then_more
    _tamper(ws, update(AUDIT).where(AUDIT.c.seq == people + 1).values(actor="mallory"))
    result = cli("audit", "verify", "--head", str(out), "--incremental")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert lines[0].startswith(f"audit entry {people + 1}: content does not match its hash")
    assert lines[-1].startswith(
        f"error: the audit log is not intact from the signed head at entry {people}: first bad "
        f"entry is {people + 1} (hash); 1 problem(s) in entries {people}..")
    assert lines[-1].endswith(
        f"entries 1..{people - 1} were not re-checked. Kept: nothing was changed. Next: run "
        "`flywheel audit verify --head FILE` without --incremental to check the whole chain")


def test_incremental_verify_refuses_a_head_that_no_longer_matches(
    ws: Workspace, people: int, cli: Any, key_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "head.json"
    assert cli("audit", "head", "--out", str(out)).code == 0
    _tamper(ws, update(AUDIT).where(AUDIT.c.seq == people).values(entry_hash="e" * 64))
    result = cli("audit", "verify", "--head", str(out), "--incremental", "--json")
    assert result.code == 1
    report = result.json()
    assert report["checked"] == 0
    assert [(p["seq"], p["kind"]) for p in report["problems"]] == [(people, "rewritten")]
    plain = cli("audit", "verify", "--head", str(out), "--incremental")
    assert plain.err.strip().splitlines()[-1].startswith(
        f"error: the audit log is not intact from the signed head at entry {people}: first bad "
        f"entry is {people} (rewritten); the signed head does not match the log, so nothing after "
        "it was checked")


def test_incremental_without_a_head_is_bad_input(local: Any) -> None:
    result = local("audit", "verify", "--incremental")
    assert result.code == 2
    assert result.err.strip() == (
        "error: --incremental needs a signed head to start from; field '--incremental'; expected "
        "--head FILE. Next: export one with `flywheel audit head --out FILE`"
    )
