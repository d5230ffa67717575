"""Diff and classification of two contract versions, and the SemVer step each class requires."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from contract_helpers import example

from dataflywheel.domain.policies.contract_changes import check_version_step, diff_contracts
from dataflywheel.domain.records.contract import ChangeClass, Contract, Layer
from dataflywheel.errors import BadInput

Edit = Callable[[dict[str, Any]], None]


def edited(contract: Contract, edit: Edit, version: str = "1.1.0") -> Contract:
    data = contract.model_dump(mode="json")
    edit(data)
    data["version"] = version
    return Contract.model_validate(data)


def _fields(d: dict[str, Any]) -> list[dict[str, Any]]:
    return d["structural"]["fields"]  # type: ignore[no-any-return]


def _field(d: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in _fields(d) if f["name"] == name)


def _gate(d: dict[str, Any], metric: str) -> dict[str, Any]:
    return next(t for t in d["operational"]["thresholds"] if t["metric"] == metric)


def _drop(d: dict[str, Any], name: str) -> None:
    _fields(d).remove(_field(d, name))
    d["semantic"]["fields"].pop(name, None)


def _rename(d: dict[str, Any], name: str, new: str) -> None:
    _field(d, name)["name"] = new
    d["semantic"]["fields"][new] = d["semantic"]["fields"].pop(name)


BREAKING: dict[str, tuple[Edit, str]] = {
    "removed field": (lambda d: _drop(d, "revision_count"), "field removed"),
    "renamed field": (lambda d: _rename(d, "revision_count", "revisions"), "field renamed"),
    "type change": (lambda d: _field(d, "confidence").update(type="string"), "type changed"),
    "new required field": (
        lambda d: _fields(d).append({"name": "grade", "type": "integer", "required": True}),
        "required field added"),
    "optional made required": (  # required: true means no nulls (ODCS)
        lambda d: _field(d, "confidence").update(required=True, nullable=False),
        "field made required"),
    "tighter threshold": (lambda d: _gate(d, "duplicate_rate").update(value=0.005), "threshold tightened"),
    "strict operator at same value": (
        lambda d: _gate(d, "spot_check_pass_rate").update(op=">"), "threshold tightened"),
    "new threshold": (
        lambda d: d["operational"]["thresholds"].append(
            {"metric": "near_duplicate_rate", "op": "<", "value": 0.05}), "threshold added"),
    "consumer role": (
        lambda d: d["operational"].update(consumer_role="quality_evaluator"), "consumer_role changed"),
}


@pytest.mark.parametrize("case", sorted(BREAKING))
def test_breaking_changes_need_a_major_version(case: str) -> None:
    edit, kind = BREAKING[case]
    old = example("sft-instructions")
    if case == "strict operator at same value":
        old = edited(old, lambda d: _gate(d, "spot_check_pass_rate").update(op=">="), "1.0.0")
    new = edited(old, edit, version="2.0.0")
    diff = diff_contracts(old, new)
    assert diff.change_class is ChangeClass.BREAKING, diff.changes
    assert diff.required_bump == "major"
    assert kind in [c.kind for c in diff.changes if c.breaking]
    check_version_step(old, new, diff, source="new.odcs.yaml")  # 2.0.0 is enough
    minor = edited(old, edit, version="1.1.0")
    with pytest.raises(BadInput) as info:
        check_version_step(old, minor, diff_contracts(old, minor), source="new.odcs.yaml")
    assert str(info.value).startswith(
        "new.odcs.yaml: a breaking change needs a major version; field 'version'; expected at least 2.0.0 ("
    )
    assert str(info.value).endswith("; got '1.1.0'")


def test_narrower_enum_is_breaking_and_wider_is_compatible() -> None:
    old = example("preference-pairs")
    narrow = edited(old, lambda d: _field(d, "margin").update(enum=["clear", "strong"]), "2.0.0")
    assert [c.kind for c in diff_contracts(old, narrow).changes] == ["enum narrowed"]
    assert diff_contracts(old, narrow).change_class is ChangeClass.BREAKING
    wide = edited(old, lambda d: _field(d, "margin").update(enum=["slight", "clear", "strong", "tie"]))
    assert [c.kind for c in diff_contracts(old, wide).changes] == ["enum widened"]
    assert diff_contracts(old, wide).change_class is ChangeClass.COMPATIBLE


COMPATIBLE: dict[str, tuple[Edit, str, Layer]] = {
    "optional field": (
        lambda d: _fields(d).append({"name": "topic", "type": "string", "required": False}),
        "optional field added", Layer.STRUCTURAL),
    "looser threshold": (
        lambda d: _gate(d, "duplicate_rate").update(value=0.02), "threshold loosened", Layer.OPERATIONAL),
    "removed threshold": (
        lambda d: d["operational"]["thresholds"].pop(0), "threshold removed", Layer.OPERATIONAL),
    "new example": (
        lambda d: d["semantic"]["fields"]["output"]["examples"].append("先算括号里的。"),
        "examples changed", Layer.SEMANTIC),
    "guide version": (
        lambda d: d["semantic"].update(guide_version="sft-guide-3.1"), "guide version changed",
        Layer.SEMANTIC),
    "sla": (lambda d: d["operational"]["sla"].update(time="20:00"), "sla changed", Layer.OPERATIONAL),
    "optional (nulls allowed)": (
        lambda d: _field(d, "output").update(required=False, nullable=True),
        "field made optional", Layer.STRUCTURAL),
}


@pytest.mark.parametrize("case", sorted(COMPATIBLE))
def test_compatible_changes_need_a_minor_version(case: str) -> None:
    edit, kind, layer = COMPATIBLE[case]
    old = example("sft-instructions")
    new = edited(old, edit, version="1.1.0")
    diff = diff_contracts(old, new)
    assert diff.change_class is ChangeClass.COMPATIBLE
    assert [c.kind for c in diff.changes] == [kind]
    assert diff.layers == [layer]
    check_version_step(old, new, diff, source="x")
    patch = edited(old, edit, version="1.0.1")
    with pytest.raises(BadInput, match=r"a compatible change needs a minor version; .*at least 1\.1\.0"):
        check_version_step(old, patch, diff_contracts(old, patch), source="x")


def test_only_the_change_note_is_a_patch() -> None:
    old = example("sft-instructions")
    new = edited(old, lambda d: d["change"].update(reason="typo fixed", impact="none"), "1.0.1")
    diff = diff_contracts(old, new)
    assert diff.changes == [] and diff.change_class is ChangeClass.NONE
    check_version_step(old, new, diff, source="x")


def test_version_that_goes_backwards_or_stands_still_is_refused() -> None:
    old = edited(example("sft-instructions"), lambda d: None, version="1.2.0")
    for version in ("1.1.9", "1.2.0", "0.9.0"):
        new = edited(old, lambda d: None, version=version)
        with pytest.raises(BadInput) as info:
            check_version_step(old, new, diff_contracts(old, new), source="new.odcs.yaml")
        assert str(info.value) == (
            "new.odcs.yaml: contract version goes backwards; field 'version'; expected a version "
            f"after 1.2.0; got '{version}'"
        )


def test_changes_name_their_layer_and_values() -> None:
    old = example("sft-instructions")
    new = edited(old, lambda d: _gate(d, "duplicate_rate").update(value=0.005), "2.0.0")
    (change,) = diff_contracts(old, new).changes
    assert change.describe() == "[operational] threshold tightened thresholds.duplicate_rate (breaking)"
    assert (change.before, change.after) == ("duplicate_rate < 0.01", "duplicate_rate < 0.005")


def test_notice_days_are_the_data_owners_change_policy_and_need_a_minor() -> None:
    old = example("sft-instructions")
    new = edited(old, lambda d: d["change"].update(notice_days=21), "1.0.1")
    diff = diff_contracts(old, new)
    assert [c.describe() for c in diff.changes] == ["[change] notice days changed notice_days (compatible)"]
    assert diff.layers == [Layer.CHANGE] and diff.required_bump == "minor"
