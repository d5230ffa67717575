"""The error tree: every `FlywheelError` survives pickling whole (a helper process or a Ray worker
sends its errors back pickled), with its message, its fields and its exit code."""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import pytest

from dataflywheel import errors
from dataflywheel.errors import FlywheelError


def _tree(root: type[FlywheelError]) -> list[type[FlywheelError]]:
    """`root` and every class below it, however deep."""
    found = [root]
    for sub in root.__subclasses__():
        found += [c for c in _tree(sub) if c not in found]
    return found


def _value(param: inspect.Parameter) -> Any:
    """An argument for `param`, of the kind its annotation names, unlike any default."""
    kind = str(param.annotation)
    if "list" in kind:
        return [f"{param.name}-a", f"{param.name}-b"]
    if "int" in kind:
        return 7
    if param.name == "got":  # not a str: the message shows its repr, cut to 80 characters
        return {"values": list(range(40))}
    return f"<{param.name}>"


def _instance(cls: type[FlywheelError]) -> FlywheelError:
    """`cls` built with every argument its `__init__` takes, optional ones too."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    args = [_value(p) for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    kwargs = {p.name: _value(p) for p in params if p.kind is p.KEYWORD_ONLY}
    return cls(*args, **kwargs)


def test_the_tree_holds_every_error_class_of_the_module() -> None:
    declared = {
        c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, FlywheelError)
    }
    assert declared <= set(_tree(FlywheelError)) and len(declared) >= 10


@pytest.mark.parametrize("cls", _tree(FlywheelError), ids=lambda c: c.__name__)
def test_every_error_round_trips_through_pickle(cls: type[FlywheelError]) -> None:
    error = _instance(cls)
    error.add_note("raised in a helper")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is cls
    assert str(again) == str(error) and again.args == error.args
    assert vars(again) == vars(error)  # every field, the subclass's own ones included
    assert again.to_dict() == error.to_dict()
    assert again.exit_code == error.exit_code and again.__notes__ == ["raised in a helper"]


def test_a_refused_transition_keeps_its_record_and_states() -> None:
    from dataflywheel.errors import IllegalTransition

    error = IllegalTransition("batch B-0001", "passed", "received", allowed=["archived"])
    again = pickle.loads(pickle.dumps(error))
    assert (again.record, again.from_state, again.to_state) == ("batch B-0001", "passed", "received")
    assert str(again) == (
        "batch B-0001 cannot move from 'passed' to 'received'; expected one of 'archived'"
    )
