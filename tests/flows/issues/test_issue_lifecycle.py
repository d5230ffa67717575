"""The issue lifecycle through the flows: legal moves succeed and are audited, illegal moves are
refused with nothing changed (a Hypothesis state machine), P0/P1 close only with a post-mortem."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from dataflywheel.domain.states import TRANSITIONS, IssueState
from dataflywheel.errors import BadInput, Conflict, IllegalTransition, NotFound, PolicyViolation
from dataflywheel.flows.issues import lifecycle as flow
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.audit import verify_chain

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
S = IssueState


def test_happy_path_p2(team: Workspace) -> None:
    issue = flow.open_issue(team, title="blank answers", severity="P2", source="spot_check",
                            project_id="P-TEST", now=NOW)
    flow.acknowledge(team, issue.id, note="looking")
    flow.assign(team, issue.id, owner_id="data-engineer")
    flow.resolve(team, issue.id, resolution="re-ran cleaning", root_cause="rule skipped blanks")
    closed = flow.close(team, issue.id)
    assert closed.state is S.CLOSED and closed.closed_at is not None
    assert closed.root_cause == "rule skipped blanks"
    reopened = flow.reopen(team, issue.id, reason="came back in batch 7")
    assert reopened.state is S.ACKNOWLEDGED and reopened.closed_at is None


def test_p1_close_needs_a_post_mortem(team: Workspace) -> None:
    issue = flow.open_issue(team, title="dup spike", severity="P1", source="quality_check",
                            project_id="P-TEST", owner_id="data-engineer", now=NOW)
    flow.assign(team, issue.id, owner_id="data-engineer")
    flow.resolve(team, issue.id, resolution="deduplicated")
    with pytest.raises(PolicyViolation) as err:
        flow.close(team, issue.id)
    assert str(err.value) == ("P1 issue ISS-0001 closes only with a post-mortem, and it has none. "
                              "Kept: ISS-0001 is still resolved. Next: flywheel issues "
                              "postmortem-template ISS-0001, then flywheel issues postmortem "
                              "ISS-0001 --file FILE")
    assert flow.issue_detail(team, issue.id)[0].state is S.RESOLVED


def test_bad_lifecycle_input(team: Workspace) -> None:
    issue = flow.open_issue(team, title="x", severity="P3", source="manual", project_id="P-TEST",
                            now=NOW)
    with pytest.raises(BadInput, match="dismissing new issue ISS-0001 needs a reason"):
        flow.close(team, issue.id)
    with pytest.raises(NotFound) as err:
        flow.assign(team, issue.id, owner_id="nobody")
    assert str(err.value) == ("person nobody does not exist; field 'owner'. Kept: ISS-0001 is still "
                              "new. Next: flywheel people list")
    with pytest.raises(IllegalTransition) as ill:
        flow.resolve(team, issue.id, resolution="x")
    assert str(ill.value) == ("issue ISS-0001 cannot move from 'new' to 'resolved'; expected one of "
                              "'acknowledged', 'assigned', 'closed'")
    with pytest.raises(BadInput, match="needs a resolution"):
        flow.resolve(team, issue.id, resolution="  ")
    with pytest.raises(NotFound, match="issue ISS-9999 does not exist"):
        flow.acknowledge(team, "ISS-9999")
    assert flow.issue_detail(team, issue.id)[0].state is S.NEW


class IssueMachine(RuleBasedStateMachine):
    """Drives one issue through random moves; the model is TRANSITIONS itself."""

    def __init__(self, ws: Workspace) -> None:
        super().__init__()
        self.ws = ws
        self.issue_id = ""
        self.state = S.NEW

    @initialize(severity=st.sampled_from(["P1", "P2"]))
    def open(self, severity: str) -> None:
        issue = flow.open_issue(self.ws, title="machine", severity=severity, source="manual",
                                project_id="P-TEST")
        self.issue_id, self.severity, self.state = issue.id, severity, S.NEW

    def _try(self, target: IssueState, call: object) -> None:
        legal = target in TRANSITIONS[IssueState][self.state]
        gated = target is S.CLOSED and self.severity == "P1"
        try:
            result = call()  # type: ignore[operator]
        except IllegalTransition:
            assert not legal
        except PolicyViolation:
            assert legal and gated
        else:
            assert legal and not gated
            assert result.state is target
            self.state = target
        stored = flow.issue_detail(self.ws, self.issue_id)[0]
        assert stored.state is self.state

    @rule()
    def acknowledge(self) -> None:
        self._try(S.ACKNOWLEDGED, lambda: flow.acknowledge(self.ws, self.issue_id))

    @rule(owner=st.sampled_from(["data-engineer", "quality-evaluator"]))
    def assign(self, owner: str) -> None:
        self._try(S.ASSIGNED, lambda: flow.assign(self.ws, self.issue_id, owner_id=owner))

    @rule()
    def resolve(self) -> None:
        self._try(S.RESOLVED, lambda: flow.resolve(self.ws, self.issue_id, resolution="fixed"))

    @rule()
    def close(self) -> None:
        self._try(S.CLOSED, lambda: flow.close(self.ws, self.issue_id, reason="done"))

    @rule()
    def reopen(self) -> None:
        if self.state is S.CLOSED:
            self._try(S.ACKNOWLEDGED, lambda: flow.reopen(self.ws, self.issue_id, reason="again"))
            return
        with pytest.raises(Conflict, match="only a closed issue is reopened"):
            flow.reopen(self.ws, self.issue_id, reason="again")
        assert flow.issue_detail(self.ws, self.issue_id)[0].state is self.state


def test_lifecycle_state_machine(team: Workspace) -> None:
    run_state_machine_as_test(
        lambda: IssueMachine(team),
        settings=settings(max_examples=30, stateful_step_count=10, deadline=None,
                          suppress_health_check=list(HealthCheck)))
    with team.db.session() as s:
        assert verify_chain(s) == []
