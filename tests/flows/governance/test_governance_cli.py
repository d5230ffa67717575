"""The exception and lineage command groups, end to end through the real CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from gov_helpers import CONTRACT, Pool

FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()
REQUEST = ["exceptions", "request", "--type", "quality", "--scope", "B-bad", "--reason",
           "fix next week", "--usage-restriction", "exploration only", "--isolation-label",
           "quarantine", "--outstanding", "duplicates", "--batch", "B-bad", "--project", "P-TEST",
           "--by", "data-engineer", "--expires", FUTURE]


def test_exception_request_approve_show_list_sweep(pool: Pool, cli: Any) -> None:
    made = cli(*REQUEST, "--json")
    assert made.code == 0, made.err
    exc_id = made.json()["id"]
    wrong = cli("exceptions", "approve", exc_id, "--by", "quality-evaluator")
    assert wrong.code == 2
    assert "quality-evaluator may not approve quality exception" in wrong.err
    half = cli("exceptions", "approve", exc_id, "--by", "data-owner", "--json").json()
    assert half["state"] == "requested" and half["open_slots"] == ["Algorithm Engineer"]
    done = cli("exceptions", "approve", exc_id, "--by", "algorithm-engineer")
    assert done.code == 0 and f"{exc_id} (quality) is approved" in done.out
    shown = cli("exceptions", "show", exc_id, "--json").json()
    assert shown["covers"] == [{"batch_id": "B-bad"}] and len(shown["approvals"]) == 2
    assert [e["id"] for e in cli("exceptions", "list", "--state", "approved", "--json").json()] == [
        exc_id]
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    assert cli("exceptions", "sweep", "--now", later, "--json").json() == {"expired": [exc_id]}
    assert cli("exceptions", "show", exc_id, "--json").json()["state"] == "expired"


def test_exception_reject_and_withdraw(pool: Pool, cli: Any) -> None:
    first = cli(*REQUEST, "--json").json()["id"]
    second = cli(*REQUEST, "--json").json()["id"]
    rejected = cli("exceptions", "reject", first, "--by", "data-owner", "--reason", "too broad")
    assert rejected.code == 0 and "rejected by data-owner as data_owner: too broad" in rejected.out
    assert cli("exceptions", "withdraw", second, "--by", "data-engineer").code == 0
    states = {e["id"]: e["state"] for e in cli("exceptions", "list", "--json").json()}
    assert states == {first: "rejected", second: "withdrawn"}


def test_exception_bad_input_is_one_line_and_stores_nothing(pool: Pool, cli: Any) -> None:
    past = cli(*REQUEST[:-1], "2020-01-01T00:00:00")
    assert past.code == 2 and "the expiry is not in the future" in past.err
    assert "Kept: nothing was stored" in past.err
    no_scope = cli(*[a if a != "B-bad" or i != 5 else " " for i, a in enumerate(REQUEST)])
    assert no_scope.code == 2 and "a quality exception needs its scope" in no_scope.err
    bad_time = cli(*REQUEST[:-1], "next tuesday")
    assert bad_time.code == 2 and "not a time: 'next tuesday'" in bad_time.err
    assert cli("exceptions", "list", "--json").json() == []


def test_lineage_commands(pool: Pool, cli: Any) -> None:
    version = cli("lineage", "version", pool.candidate, "--json").json()
    assert [b["batch"]["id"] for b in version["batches"]] == ["B-bad", "B-ok"]
    text = cli("lineage", "version", pool.candidate)
    assert text.code == 0 and "vendor:v-tagwise" in text.out
    batch = cli("lineage", "batch", "B-ok", "--json").json()
    assert [v["id"] for v in batch["versions"]] == [pool.candidate]
    assert "versions: raw-pool-c1 (candidate)" in cli("lineage", "batch", "B-ok").out
    checked = cli("lineage", "checked", "--contract", CONTRACT, "--json").json()
    assert [b["id"] for b in checked] == ["B-bad", "B-ok"]
    path = cli("lineage", "requirement", pool.requirement)
    assert path.code == 0 and "batches: B-bad (failed), B-ok (passed)" in path.out
    neither = cli("lineage", "checked")
    assert neither.code == 2 and "name exactly one of a contract version" in neither.err
    assert cli("lineage", "events", "--json").json() == []
    missing = cli("lineage", "version", "raw-pool@9")
    assert missing.code == 2 and "dataset version raw-pool@9 does not exist" in missing.err
