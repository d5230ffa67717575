"""Guide files and the classification of their changes (the contract change rules, reused)."""

from __future__ import annotations

import pytest
from guide_helpers import guide_doc, guide_text, next_version

from dataflywheel.domain.policies.guide_changes import check_guide_step, diff_guides, examples_changed
from dataflywheel.domain.records.contract import ChangeClass
from dataflywheel.domain.records.guide import parse_guide
from dataflywheel.errors import BadInput


def _doc(doc: dict[str, object] | None = None, body: str | None = None):  # type: ignore[no-untyped-def]
    return parse_guide(guide_text(doc) if body is None else guide_text(doc, body), source="g.md")


def test_a_guide_file_reads_its_front_matter_and_keeps_its_body() -> None:
    doc = _doc()
    assert doc.version_id == "sft-guide@1.2.0"
    assert [label.name for label in doc.labels] == ["helpful", "unhelpful"]
    assert [(e.id, e.kind.value) for e in doc.examples] == [
        ("EX-1", "typical"), ("EX-2", "boundary"), ("EX-3", "counter")]
    assert doc.body.startswith("# SFT answer quality")


@pytest.mark.parametrize(("text", "message"), [
    ("# no front matter\n", "a guide file starts with a YAML front matter"),
    ("---\n- a list\n---\nbody", "the front matter is not a mapping"),
    ("---\nbody: x\n---\n", "the front matter may not hold 'body'"),
])
def test_a_file_without_a_proper_front_matter_is_refused(text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message) as info:
        parse_guide(text, source="g.md")
    assert "g.md" in str(info.value)


def test_an_example_of_an_undefined_label_is_refused() -> None:
    doc = guide_doc()
    doc["examples"][0]["label"] = "harmless"
    with pytest.raises(BadInput, match="invalid annotation guide") as info:
        _doc(doc)
    assert "example EX-1 names label 'harmless'" in str(info.value)


def test_a_version_that_is_not_semver_is_refused() -> None:
    with pytest.raises(BadInput, match="field 'version'"):
        _doc(guide_doc(version="v1.2"))


def test_clarified_examples_are_compatible_and_named() -> None:
    old, new = _doc(), _doc(next_version())
    diff = diff_guides(old, new)
    assert diff.change_class is ChangeClass.COMPATIBLE and diff.required_bump == "minor"
    assert [(c.kind, c.path) for c in diff.changes] == [
        ("example changed", "examples.EX-2"), ("example added", "examples.EX-4")]
    assert examples_changed(diff) == ["EX-2", "EX-4"]
    check_guide_step(old, new, diff, source="g.md")  # 1.3.0 is enough


def test_a_removed_label_narrows_the_answers_and_breaks() -> None:
    doc = guide_doc(version="1.3.0", labels=guide_doc()["labels"][:1],
                    examples=[e for e in guide_doc()["examples"] if e["label"] == "helpful"])
    old, new = _doc(), _doc(doc)
    diff = diff_guides(old, new)
    assert diff.change_class is ChangeClass.BREAKING
    assert diff.changes[0].kind == "enum narrowed" and diff.changes[0].path == "labels"
    with pytest.raises(BadInput, match="a breaking change needs a major version") as info:
        check_guide_step(old, new, diff, source="g.md")
    assert "at least 2.0.0" in str(info.value)
    doc["version"] = "2.0.0"
    major = _doc(doc)
    check_guide_step(old, major, diff_guides(old, major), source="g.md")


def test_an_added_label_and_a_new_definition_are_compatible() -> None:
    doc = guide_doc(version="1.3.0")
    doc["labels"][0]["definition"] = "answers the whole instruction, correctly"
    doc["labels"].append({"name": "unsafe", "definition": "harmful content"})
    diff = diff_guides(_doc(), _doc(doc))
    assert [(c.kind, c.breaking) for c in diff.changes] == [
        ("enum widened", False), ("definition changed", False)]
    assert diff.change_class is ChangeClass.COMPATIBLE


def test_the_text_alone_is_a_change_and_no_change_is_refused() -> None:
    old = _doc()
    text_only = _doc(guide_doc(version="1.2.1"), body="# SFT\n\nNew wording.\n")
    diff = diff_guides(old, text_only)
    assert [c.kind for c in diff.changes] == ["guide text changed"]
    with pytest.raises(BadInput, match="a compatible change needs a minor version"):
        check_guide_step(old, text_only, diff, source="g.md")
    same = _doc(guide_doc(version="1.3.0"))
    with pytest.raises(BadInput, match="the new version changes nothing"):
        check_guide_step(old, same, diff_guides(old, same), source="g.md")


def test_a_version_of_another_guide_or_going_back_is_refused() -> None:
    old = _doc()
    other = _doc(next_version(guide="other-guide"))
    with pytest.raises(BadInput, match="a new version must keep the guide id"):
        check_guide_step(old, other, diff_guides(old, other), source="g.md")
    back = _doc(next_version(version="1.1.0"))
    with pytest.raises(BadInput, match="guide version goes backwards"):
        check_guide_step(old, back, diff_guides(old, back), source="g.md")


def test_a_contract_newly_requiring_the_guide_version_is_a_breaking_change() -> None:
    from contract_fixtures import contract_text

    from dataflywheel.domain.policies.contract_changes import diff_contracts
    from dataflywheel.integrations.odcs import parse_odcs
    from dataflywheel.integrations.odcs_write import dump_odcs

    text = contract_text("cleaned-raw-pool")
    required = text.replace("    guideVersion: cleaning-rules-2.1\n",
                            "    guideVersion: cleaning-rules-2.1\n    guideRequired: true\n")
    old, new = parse_odcs(text, source="a"), parse_odcs(required, source="b")
    assert not old.semantic.guide_required and new.semantic.guide_required
    diff = diff_contracts(old, new)
    assert [(c.kind, c.breaking) for c in diff.changes] == [("guide requirement changed", True)]
    assert [(c.kind, c.breaking) for c in diff_contracts(new, old).changes] == [
        ("guide requirement changed", False)]
    assert "guideRequired: true" in dump_odcs(new) and "guideRequired" not in dump_odcs(old)
