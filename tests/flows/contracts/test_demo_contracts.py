"""The demo hook: four example contracts registered, one breaking change proposed with notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dataflywheel.domain.records.contract import ChangeClass
from dataflywheel.domain.states import ContractVersionState as S
from dataflywheel.flows.contracts.lifecycle import advance_notice_rate, list_contracts
from dataflywheel.flows.workspace import Workspace

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_seed_contracts_on_the_demo_team(ws: Workspace) -> None:
    from dataflywheel.demo.contracts import seed_contracts
    from dataflywheel.demo.team import seed_team
    seed_team(ws)
    seeded = seed_contracts(ws, now=NOW)
    assert [v.id for v in seeded.versions] == [
        "cleaned-raw-pool@1.0.0", "sft-instructions@1.0.0", "preference-pairs@1.0.0", "eval-set@1.0.0"]
    assert all(v.state is S.ACTIVE and v.proposed_by == "lin.wei" for v in seeded.versions)
    proposal = seeded.proposal
    assert proposal.version.id == "cleaned-raw-pool@2.0.0" and proposal.version.state is S.PROPOSED
    assert proposal.version.change_class is ChangeClass.BREAKING
    assert proposal.version.proposed_by == "chen.jie"
    assert proposal.version.effective_from == NOW + timedelta(days=14)
    assert [c.describe() for c in proposal.diff.changes] == [
        "[structural] required field added fields.language (breaking)"]
    assert {(n.person_id, n.letter) for n in proposal.notices} == {  # Table 24-7, collection and cleaning: C = AE, PE, Legal; I = DO, QE, AlgE
        ("eva.novak", "C"), ("ravi.shah", "C"), ("sara.kim", "C"), ("lin.wei", "I"),
        ("omar.haddad", "I"), ("li.na", "I"), ("tom.berg", "I")}
    assert len(list_contracts(ws)) == 4
    assert advance_notice_rate(ws).rate == 1.0


def test_demo_step_prints_the_contracts_and_the_notice(ws: Workspace) -> None:
    from rich.console import Console

    from dataflywheel.demo.contracts import demo_step
    from dataflywheel.demo.team import seed_team

    seed_team(ws)
    console = Console(record=True, width=200)
    demo_step(ws, console)
    text = console.export_text()
    assert "preference-pairs@1.0.0" in text and "agreement" in text
    assert "Proposed cleaned-raw-pool@2.0.0 (breaking) by chen.jie: [structural] required field added" in text
    assert ("notices sent to eva.novak (C), li.na (I), lin.wei (I), omar.haddad (I), "
            "ravi.shah (C), sara.kim (C), tom.berg (I)") in text
