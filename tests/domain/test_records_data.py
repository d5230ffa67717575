"""Data Pool records: valid ones accepted, bad values refused with a message naming the field."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from dataflywheel.domain.records.data import (
    Batch, BatchFile, Dataset, Datasheet, DatasetVersion, FileFormat,
)
from dataflywheel.domain.states import BatchState, VersionState

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
SHA = "ab" * 32


def _batch(**changes: object) -> Batch:
    fields: dict[str, object] = dict(
        id="B-0001", dataset_id="ds", contract_version_id="sft@1.0.0", requirement_id="REQ-0001",
        delivered_by_vendor_id="v-acme", received_at=NOW,
    )
    return Batch.model_validate(fields | changes)


def _version(**changes: object) -> DatasetVersion:
    fields: dict[str, object] = dict(id="V-1", dataset_id="ds", created_by_id="ann", created_at=NOW)
    return DatasetVersion.model_validate(fields | changes)


def test_a_valid_batch_and_its_defaults() -> None:
    batch = _batch(annotator_ids=["a1", "a2"], guide_version="g-2.1")
    assert batch.state is BatchState.RECEIVED
    assert batch.annotator_ids == ["a1", "a2"]
    assert Batch.model_validate(batch.model_dump(mode="json")) == batch


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"delivered_by_vendor_id": None}, "delivered by exactly one person or vendor"),
        ({"delivered_by_person_id": "ann"}, "delivered by exactly one person or vendor"),
        ({"state": "passed"}, "a passed batch must carry its quality report (report_sha256)"),
        ({"state": "shipped"},
         "state\n  Input should be 'received', 'checking', 'awaiting_review', 'passed' or 'failed'"),
        ({"report_sha256": "not-a-hash"}, "report_sha256\n  String should match pattern"),
        ({"annotator_ids": ["a1", "a1"]}, "annotator ids must be distinct"),
        ({"annotator_ids": [" "]}, "annotator ids must not be blank"),
        ({"row_count": -1}, "row_count\n  Input should be greater than or equal to 0"),
        ({"row_count": 3, "nonconforming_count": 4}, "nonconforming_count 4 exceeds row_count 3"),
        ({"id": "../etc"}, "id\n  String should match pattern"),
        ({"colour": "red"}, "colour\n  Extra inputs are not permitted"),
    ],
)
def test_bad_batches_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as info:
        _batch(**changes)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../x.jsonl", "must be a plain name without directories"),
        ("dir/x.jsonl", "must be a plain name without directories"),
        ("..", "must be a plain name without directories"),
        ("é" * 128 + ".jsonl", "file name is over 255 bytes"),
        ("", "String should have at least 1 character"),
    ],
)
def test_bad_file_names_are_refused(name: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        BatchFile(batch_id="B-1", position=0, name=name, sha256=SHA, size_bytes=1,
                  format=FileFormat.JSONL)
    assert message in str(info.value)


def test_a_file_name_of_exactly_255_bytes_is_accepted() -> None:
    name = "x" * 249 + ".jsonl"
    assert BatchFile(batch_id="B-1", position=0, name=name, sha256=SHA, size_bytes=0,
                     format="parquet").name == name


def test_datasheet_missing_names_every_unstated_section_in_order() -> None:
    assert Datasheet().missing() == [
        "objective", "sources", "sample_size", "cleaning_rules", "annotation_standard",
        "guide_version", "quality_summary", "compliance_conclusion", "known_defects",
        "applicable_scenarios", "inapplicable_scenarios",
    ]
    partial = Datasheet(objective="  ", sources=[], sample_size=0, known_defects=[])
    assert "objective" in partial.missing() and "sources" in partial.missing()
    assert "sample_size" not in partial.missing() and "known_defects" not in partial.missing()


def test_a_complete_datasheet_has_nothing_missing() -> None:
    sheet = Datasheet(
        objective="grade-school math SFT", sources=["vendor acme"], sample_size=500,
        cleaning_rules=["dedup"], annotation_standard="guide", guide_version="g-2",
        quality_summary="dup 0.1%", compliance_conclusion="public", known_defects=[],
        applicable_scenarios=["SFT"], inapplicable_scenarios=["eval"],
    )
    assert sheet.missing() == []


def test_frozen_version_needs_number_time_and_manifest() -> None:
    with pytest.raises(ValidationError) as info:
        _version(state=VersionState.FROZEN)
    assert "a frozen version needs number, frozen_at, manifest_sha256" in str(info.value)
    frozen = _version(state="frozen", number=1, frozen_at=NOW, manifest_sha256=SHA)
    assert frozen.label == "ds@1"
    assert _version().label == "V-1"


def test_candidate_carries_no_freeze_fields() -> None:
    with pytest.raises(ValidationError) as info:
        _version(number=2)
    assert "a candidate version has no number yet" in str(info.value)


def test_withdrawn_version_needs_reason_and_issue() -> None:
    with pytest.raises(ValidationError) as info:
        _version(state="withdrawn", number=1, frozen_at=NOW, manifest_sha256=SHA)
    assert "a withdrawn version needs withdrawn_reason and withdrawn_issue_id" in str(info.value)


def test_version_cannot_be_its_own_parent_and_numbers_start_at_one() -> None:
    with pytest.raises(ValidationError, match="a version cannot be its own parent"):
        _version(parent_version_id="V-1")
    with pytest.raises(ValidationError,
                       match="number\n  Input should be greater than or equal to 1"):
        _version(state="frozen", number=0, frozen_at=NOW, manifest_sha256=SHA)


def test_datasheet_round_trips_through_json_inside_a_version() -> None:
    version = _version(datasheet={"objective": "x", "known_defects": []})
    again = DatasetVersion.model_validate(version.model_dump(mode="json"))
    assert again == version and again.datasheet.known_defects == []


def test_dataset_refuses_unknown_purpose_and_sensitivity() -> None:
    with pytest.raises(ValidationError) as info:
        Dataset.model_validate({"id": "ds", "name": "k12", "project_id": "P", "owner_id": "ann",
                                "purpose": "fun", "sensitivity": "secret"})
    text = str(info.value)
    assert "purpose\n  Input should be 'training', 'evaluation' or 'exploration'" in text
    assert ("sensitivity\n  Input should be 'public', 'internal', 'confidential' or "
            "'restricted'") in text
