"""The transition tables: every legal move is accepted, every other refused with a clear message."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataflywheel.domain.states import TRANSITIONS, RequirementState, VersionState, allowed, move
from dataflywheel.errors import IllegalTransition

ALL_PAIRS = [
    (kind, a, b) for kind, table in TRANSITIONS.items() for a in kind for b in kind
]


def test_every_state_of_every_kind_has_a_row() -> None:
    for kind, table in TRANSITIONS.items():
        assert set(table) == set(kind), kind.__name__
        for targets in table.values():
            assert all(isinstance(t, kind) for t in targets)


@pytest.mark.parametrize(("kind", "current", "target"), ALL_PAIRS,
                         ids=[f"{k.__name__}:{a}->{b}" for k, a, b in ALL_PAIRS])
def test_move_follows_the_table(kind: type[StrEnum], current: StrEnum, target: StrEnum) -> None:
    if target in TRANSITIONS[kind][current]:
        assert move("record X", current, target) is target
    else:
        with pytest.raises(IllegalTransition) as info:
            move("record X", current, target)
        assert f"record X cannot move from {current.value!r} to {target.value!r}" in str(info.value)


def test_illegal_move_names_what_was_allowed() -> None:
    with pytest.raises(IllegalTransition) as info:
        move("version v3", VersionState.FROZEN, VersionState.CANDIDATE)
    assert str(info.value) == (
        "version v3 cannot move from 'frozen' to 'candidate'; expected one of 'archived', 'withdrawn'"
    )


def test_terminal_state_says_no_move() -> None:
    with pytest.raises(IllegalTransition, match="expected no move"):
        move("REQ-0001", RequirementState.ACCEPTED, RequirementState.IN_PROGRESS)


def test_mixed_kinds_are_a_programming_error() -> None:
    with pytest.raises(TypeError):
        move("x", RequirementState.SUBMITTED, VersionState.FROZEN)  # type: ignore[type-var]


@given(st.lists(st.sampled_from(list(RequirementState)), max_size=30))
def test_random_walks_only_take_legal_steps(steps: list[RequirementState]) -> None:
    state = RequirementState.SUBMITTED
    for target in steps:
        if target.value in allowed(state):
            state = move("REQ", state, target)
        else:
            with pytest.raises(IllegalTransition):
                move("REQ", state, target)
    assert state in RequirementState
