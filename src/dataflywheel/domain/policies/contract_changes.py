"""The diff of two contract versions, its change class, and the SemVer step it requires.

Breaking (major): a removed or renamed field, a type change, a narrower enum, a new required field,
an optional (nullable) field made required (no nulls), extra fields newly rejected, a
guide version newly required of every delivery, a tighter or new threshold, a producer or consumer role change. Compatible (minor): an added optional
field, a wider enum, a looser or removed threshold, new examples, changed meanings, boundaries, the
guide version, the SLA or feedback path, the notice days, the name. Only the note describing the
change (reason, impact, migration note, log) → patch.
Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from dataflywheel.domain.records.contract import (
    ChangeClass,
    Contract,
    ContractField,
    ContractNotice,
    Layer,
    Threshold,
    parse_semver,
)
from dataflywheel.errors import BadInput


class Change(BaseModel):
    """One difference between two versions, with the layer it touches and whether it breaks."""

    model_config = ConfigDict(frozen=True)

    layer: Layer
    kind: str
    path: str
    breaking: bool
    before: Any = None
    after: Any = None

    def describe(self) -> str:
        verdict = "breaking" if self.breaking else "compatible"
        return f"[{self.layer.value}] {self.kind} {self.path} ({verdict})"


class ContractDiff(BaseModel):
    """Every change from `old` to `new` and their class."""

    model_config = ConfigDict(frozen=True)

    old_version: str
    new_version: str
    changes: list[Change]

    @property
    def change_class(self) -> ChangeClass:
        if any(c.breaking for c in self.changes):
            return ChangeClass.BREAKING
        if self.changes:
            return ChangeClass.COMPATIBLE
        return ChangeClass.NONE

    @property
    def layers(self) -> list[Layer]:
        """The layers this diff touches, in layer order."""
        touched = {c.layer for c in self.changes}
        return [layer for layer in Layer if layer in touched]

    @property
    def required_bump(self) -> str:
        return {ChangeClass.BREAKING: "major", ChangeClass.COMPATIBLE: "minor"}.get(
            self.change_class, "patch"
        )


def diff_contracts(old: Contract, new: Contract) -> ContractDiff:
    """All differences between two versions of the same contract, in layer order."""
    changes = [
        *_structural(old, new),
        *_semantic(old, new),
        *_operational(old, new),
        *_change_layer(old, new),
    ]
    return ContractDiff(old_version=old.version, new_version=new.version, changes=changes)


def check_version_step(old: Contract, new: Contract, diff: ContractDiff, *, source: str) -> None:
    """Refuse a version that does not move forward, or moves less than the change class needs."""
    if new.id != old.id:
        raise BadInput("a new version must keep the contract id", path=source, field="id",
                       expected=repr(old.id), got=new.id)
    check_step(old.version, new.version, diff, source=source, what="contract")


def check_step(old_version: str, new_version: str, diff: ContractDiff, *, source: str,
               what: str) -> None:
    """The SemVer rule of any versioned document (a contract, an annotation guide): forward, and
    by at least the step the change class needs (breaking → major, compatible → minor)."""
    before, after = parse_semver(old_version), parse_semver(new_version)
    if after <= before:
        raise BadInput(f"{what} version goes backwards", path=source, field="version",
                       expected=f"a version after {old_version}", got=new_version)
    bump = diff.required_bump
    if bump == "major" and after.major == before.major:
        needed = str(before.bump_major())
    elif bump == "minor" and (after.major, after.minor) == (before.major, before.minor):
        needed = str(before.bump_minor())
    else:
        return
    kinds = "; ".join(c.describe() for c in diff.changes if c.breaking or bump == "minor")
    raise BadInput(
        f"a {diff.change_class.value} change needs a {bump} version", path=source, field="version",
        expected=f"at least {needed} ({kinds})", got=new_version,
    )


# ---------------------------------------------------------------- structural


def _same_shape(a: ContractField, b: ContractField) -> bool:
    return a.model_dump(exclude={"name"}) == b.model_dump(exclude={"name"})


def _structural(old: Contract, new: Contract) -> list[Change]:
    s_old, s_new = old.structural, new.structural
    before = {f.name: f for f in s_old.fields}
    after = {f.name: f for f in s_new.fields}
    removed = [before[n] for n in before if n not in after]
    added = [after[n] for n in after if n not in before]
    out: list[Change] = []
    if len(removed) == 1 and len(added) == 1 and _same_shape(removed[0], added[0]):
        out.append(_c(Layer.STRUCTURAL, "field renamed", f"fields.{removed[0].name}", True,
                      removed[0].name, added[0].name))
        removed, added = [], []
    out += [_c(Layer.STRUCTURAL, "field removed", f"fields.{f.name}", True, f.name, None)
            for f in removed]
    for f in added:
        kind = "required field added" if f.required else "optional field added"
        out.append(_c(Layer.STRUCTURAL, kind, f"fields.{f.name}", f.required, None, f.name))
    for name, field in before.items():
        if name in after:
            out += _field_changes(field, after[name])
    for attr in ("id_field", "text_fields"):
        a, b = getattr(s_old, attr), getattr(s_new, attr)
        if a != b:
            out.append(_c(Layer.STRUCTURAL, f"{attr} changed", attr, attr == "id_field", a, b))
    if s_old.additional_fields != s_new.additional_fields:
        breaking = s_new.additional_fields == "reject"
        out.append(_c(Layer.STRUCTURAL, "additional fields policy changed", "additional_fields",
                      breaking, s_old.additional_fields, s_new.additional_fields))
    return out


def _field_changes(a: ContractField, b: ContractField) -> list[Change]:
    path = f"fields.{a.name}"
    out: list[Change] = []
    if (a.type, a.items) != (b.type, b.items):
        out.append(_c(Layer.STRUCTURAL, "type changed", path, True,
                      _type_name(a), _type_name(b)))
    if a.required != b.required:
        kind = "field made required" if b.required else "field made optional"
        out.append(_c(Layer.STRUCTURAL, kind, path, b.required, a.required, b.required))
    if a.enum != b.enum:
        out.append(enum_change(Layer.STRUCTURAL, path, a.enum, b.enum))
    return out


def _type_name(f: ContractField) -> str:
    return f"array<{f.items.value}>" if f.items else f.type.value


def enum_change(layer: Layer, path: str, a: Sequence[Any] | None,
                b: Sequence[Any] | None) -> Change:
    """A set of allowed values changed: narrowing breaks (a value once valid is refused),
    widening or reordering does not. Shared by contract enums and guide label sets."""
    old_set = None if a is None else set(map(repr, a))
    new_set = None if b is None else set(map(repr, b))
    if new_set is None:
        return _c(layer, "enum removed (any value)", path, False, a, b)
    if old_set is None or not old_set <= new_set:
        return _c(layer, "enum narrowed", path, True, a, b)
    kind = "enum widened" if new_set != old_set else "enum reordered"
    return _c(layer, kind, path, False, a, b)


# ---------------------------------------------------------------- semantic


def _semantic(old: Contract, new: Contract) -> list[Change]:
    out: list[Change] = []
    a, b = old.semantic, new.semantic
    if a.guide_version != b.guide_version:
        out.append(_c(Layer.SEMANTIC, "guide version changed", "guide_version", False,
                      a.guide_version, b.guide_version))
    if a.guide_required != b.guide_required:  # newly required: a delivery once valid now fails
        out.append(_c(Layer.SEMANTIC, "guide requirement changed", "guide_required",
                      b.guide_required, a.guide_required, b.guide_required))
    # The meaning of a field that is added or removed travels with that structural change.
    both = {f.name for f in old.structural.fields} & {f.name for f in new.structural.fields}
    for name in sorted((set(a.fields) | set(b.fields)) & both):
        fa, fb = a.fields.get(name), b.fields.get(name)
        da = fa.model_dump() if fa else {}
        db = fb.model_dump() if fb else {}
        for key in sorted(set(da) | set(db)):
            if da.get(key) != db.get(key):
                kind = "examples changed" if "examples" in key else f"{key} changed"
                out.append(_c(Layer.SEMANTIC, kind, f"fields.{name}.{key}", False,
                              da.get(key), db.get(key)))
    return out


# ---------------------------------------------------------------- operational


def _tighter(a: Threshold, b: Threshold) -> bool | None:
    """True when `b` accepts less than `a`, False when more, None when equal."""
    if (a.value, a.op) == (b.value, b.op):
        return None
    if a.value != b.value:
        return b.value < a.value if a.is_upper_bound else b.value > a.value
    return b.op in ("<", ">")  # same value: the strict operator accepts less


def _operational(old: Contract, new: Contract) -> list[Change]:
    a, b = old.operational, new.operational
    out: list[Change] = []
    gates_a = {(t.metric, t.is_upper_bound): t for t in a.thresholds}
    gates_b = {(t.metric, t.is_upper_bound): t for t in b.thresholds}
    for key in sorted(set(gates_a) | set(gates_b)):
        ta, tb = gates_a.get(key), gates_b.get(key)
        path = f"thresholds.{key[0]}"
        if tb is None:
            out.append(_c(Layer.OPERATIONAL, "threshold removed", path, False, _t(ta), None))
        elif ta is None:
            out.append(_c(Layer.OPERATIONAL, "threshold added", path, True, None, _t(tb)))
        else:
            tighter = _tighter(ta, tb)
            if tighter is not None:
                kind = "threshold tightened" if tighter else "threshold loosened"
                out.append(_c(Layer.OPERATIONAL, kind, path, tighter, _t(ta), _t(tb)))
    da = a.model_dump(mode="json", exclude={"thresholds"})
    db = b.model_dump(mode="json", exclude={"thresholds"})
    for name in sorted(da):
        if da[name] != db[name]:
            breaking = name in ("producer_role", "consumer_role") or (
                name == "pii_patterns" and any(p not in da[name] for p in db[name]))
            out.append(_c(Layer.OPERATIONAL, f"{name} changed", name, breaking, da[name], db[name]))
    return out


def _t(t: Threshold | None) -> str | None:
    return None if t is None else f"{t.metric} {t.op} {t.value:g}"


# ---------------------------------------------------------------- change


def _change_layer(old: Contract, new: Contract) -> list[Change]:
    # reason, impact, class, compatibility period, migration note and log describe *this* version's
    # change; they are the proposal itself, not a change to the contract's change policy.
    out: list[Change] = []
    if old.change.notice_days != new.change.notice_days:
        out.append(_c(Layer.CHANGE, "notice days changed", "notice_days", False,
                      old.change.notice_days, new.change.notice_days))
    if (old.name, old.purpose) != (new.name, new.purpose):
        out.append(_c(Layer.CHANGE, "name or purpose changed", "name", False,
                      [old.name, old.purpose], [new.name, new.purpose]))
    return out


def _c(layer: Layer, kind: str, path: str, breaking: bool, before: Any, after: Any) -> Change:
    return Change(layer=layer, kind=kind, path=path, breaking=breaking, before=before, after=after)


def needs_notice(change_class: ChangeClass) -> bool:
    """Only a breaking change must be announced ahead of its effect (the change layer's
    `notice_days`); compatible and patch changes take effect when proposed."""
    return change_class is ChangeClass.BREAKING


def announced_in_time(notice_days: int, notices: Sequence[ContractNotice]) -> bool:
    """A breaking version was announced in time when it had at least one notice and every notice
    was sent at least `notice_days` before the version took effect. A short notice given with a
    recorded reason is allowed to happen, and still counts as late."""
    return bool(notices) and all(n.days_ahead >= notice_days for n in notices)
