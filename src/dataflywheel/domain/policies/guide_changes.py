"""The diff of two annotation-guide versions, classified by the contract change rules.

A guide is the semantic layer of the annotation interface, so its changes are judged by the same
rules as a contract's (`contract_changes`), not by rules of its own:
- the label set is an enum of allowed answers: a removed label narrows it (breaking → major
  version), an added label widens it (compatible → minor);
- a label's definition or boundary, an example of the library and the guide's text are meanings,
  boundaries and examples (compatible → minor);
- the notice days and the title are the change layer (compatible).
The SemVer step is `contract_changes.check_step`; the change record names the examples that changed.
Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataflywheel.domain.policies.contract_changes import Change, ContractDiff, check_step, enum_change
from dataflywheel.domain.records.contract import Layer
from dataflywheel.domain.records.guide import GuideDocument
from dataflywheel.errors import BadInput


def diff_guides(old: GuideDocument, new: GuideDocument) -> ContractDiff:
    """Every difference from `old` to `new`, in layer order (labels, meanings, change layer)."""
    changes: list[Change] = []
    before = [label.name for label in old.labels]
    after = [label.name for label in new.labels]
    if before != after:
        changes.append(enum_change(Layer.STRUCTURAL, "labels", before, after))
    new_labels = {label.name: label for label in new.labels}
    for label in old.labels:
        other = new_labels.get(label.name)
        if other is None:
            continue
        for key in ("definition", "boundary"):
            if getattr(label, key) != getattr(other, key):
                changes.append(_c(Layer.SEMANTIC, f"{key} changed", f"labels.{label.name}.{key}",
                                  getattr(label, key), getattr(other, key)))
    old_ex = {e.id: e for e in old.examples}
    new_ex = {e.id: e for e in new.examples}
    for ex_id in sorted(set(old_ex) | set(new_ex)):
        a, b = old_ex.get(ex_id), new_ex.get(ex_id)
        if a == b:
            continue
        kind = "example added" if a is None else "example removed" if b is None else "example changed"
        changes.append(_c(Layer.SEMANTIC, kind, f"examples.{ex_id}",
                          None if a is None else a.model_dump(mode="json"),
                          None if b is None else b.model_dump(mode="json")))
    if old.body != new.body:
        changes.append(_c(Layer.SEMANTIC, "guide text changed", "body", None, None))
    if old.notice_days != new.notice_days:
        changes.append(_c(Layer.CHANGE, "notice days changed", "notice_days", old.notice_days,
                          new.notice_days))
    if old.title != new.title:
        changes.append(_c(Layer.CHANGE, "title changed", "title", old.title, new.title))
    return ContractDiff(old_version=old.version_id, new_version=new.version_id, changes=changes)


def check_guide_step(old: GuideDocument, new: GuideDocument, diff: ContractDiff, *,
                     source: str) -> None:
    """Refuse a version of another guide, one that changes nothing, or a SemVer step smaller than
    its change class needs."""
    if new.guide != old.guide:
        raise BadInput("a new version must keep the guide id", path=source, field="guide",
                       expected=repr(old.guide), got=new.guide)
    if not diff.changes:
        raise BadInput("the new version changes nothing", path=source,
                       expected=f"a change to the labels, examples or text of {old.version_id}")
    check_step(old.version, new.version, diff, source=source, what="guide")


def examples_changed(diff: ContractDiff) -> list[str]:
    """The ids of the library's examples that this change adds, removes or alters."""
    return [c.path.split(".", 1)[1] for c in diff.changes if c.path.startswith("examples.")]


def _c(layer: Layer, kind: str, path: str, before: object, after: object) -> Change:
    return Change(layer=layer, kind=kind, path=path, breaking=False, before=before, after=after)
