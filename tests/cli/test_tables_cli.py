"""Tables are read by people at 80 columns: ID columns are never cut, cell text is never taken for
rich markup (a `[word]` stays), and lists come out most urgent first."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

LONG = ("Geometry word problems with diagrams for the K-12 tutoring model, grades seven to nine, "
        "bilingual")


@pytest.fixture(autouse=True)
def _eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    """COLUMNS=80, as in a default terminal (the shared console was made before this test)."""
    from dataflywheel.cli.output import console

    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(console, "width", 80)


def _add(cli, title: str, priority: str, deadline: datetime | None = None) -> str:  # type: ignore[no-untyped-def]
    args = ["requirements", "add", title, "--project", "P-TEST", "--requester", "algorithm-engineer",
            "--priority", priority, "--json"]
    if deadline is not None:
        args += ["--deadline", deadline.isoformat()]
    result = cli(*args)
    assert result.code == 0, result.err
    return str(result.json()["id"])


def test_requirement_ids_are_whole_at_80_columns_and_p0_comes_first(team, cli) -> None:  # type: ignore[no-untyped-def]
    soon = datetime.now(UTC) + timedelta(days=3)
    ids = [_add(cli, LONG, "P2", soon), _add(cli, LONG, "P1"), _add(cli, f"[urgent] {LONG}", "P0"),
           _add(cli, LONG, "P1", soon)]
    listed = cli("requirements", "list")
    assert listed.code == 0, listed.err
    assert max(len(line) for line in listed.out.splitlines()) <= 80
    shown = re.findall(r"REQ-\d+", listed.out)
    assert shown == [ids[2], ids[3], ids[1], ids[0]], listed.out  # P0, P1 due soon, P1, P2
    assert "…" not in listed.out
    assert "[urgent]" in listed.out  # a title is text, not markup
    shown = cli("requirements", "show", ids[2])
    assert shown.code == 0 and "title: [urgent] Geometry" in shown.out, shown.out


def test_issue_ids_are_whole_at_80_columns(team, cli) -> None:  # type: ignore[no-untyped-def]
    for severity in ("P3", "P1"):
        assert cli("issues", "open", LONG, "--severity", severity, "--project", "P-TEST",
                   "--owner", "data-engineer").code == 0
    assert cli("issues", "open", "[sev] odd title", "--severity", "P2").code == 0
    assert "title: [sev] odd title" in cli("issues", "show", "ISS-0003").out
    listed = cli("issues", "list")
    assert listed.code == 0, listed.err
    assert re.findall(r"ISS-\d+", listed.out) == ["ISS-0002", "ISS-0003", "ISS-0001"]
    assert "…" not in listed.out


def test_kb_search_shows_the_matched_word(team, cli) -> None:  # type: ignore[no-untyped-def]
    added = cli("kb", "add", "[draft] Near duplicates", "--kind", "best_practice",
                "--body", "The detector missed paraphrases of the same question.", "--json")
    assert added.code == 0, added.err
    found = cli("kb", "search", "paraphrases")
    assert found.code == 0, found.err
    assert "[paraphrases]" in found.out, found.out
    assert cli("kb", "search", "paraphrases", "--json").json()[0]["snippet"].count("[paraphrases]") == 1
    shown = cli("kb", "show", added.json()["id"])
    assert shown.code == 0 and "[draft] Near duplicates" in shown.out, shown.out
