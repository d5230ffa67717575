"""Export of frozen versions: Parquet + a dataset card that `datasets` loads offline, Croissant 1.1
that `mlcroissant` validates and reads, with the datasheet in its RAI fields; bad input writes
nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from export_helpers import DATASHEET, candidate, frozen, rows

from dataflywheel.errors import BadInput, PolicyViolation
from dataflywheel.flows.data.export import export_version
from dataflywheel.flows.workspace import Workspace


@pytest.fixture
def version(team: Workspace, tmp_path: Path) -> str:
    return frozen(team, tmp_path)


def test_hf_export_loads_with_datasets_offline(team: Workspace, version: str, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    import datasets

    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True, raising=False)
    out = tmp_path / "hf"
    result = export_version(team, version, format="hf", out=out, license="CC-BY-4.0")
    assert result.rows == 30 and result.label == "raw-pool@1"
    assert result.files == ["README.md", "data/train-00000-of-00001.parquet"]
    loaded = datasets.load_dataset("parquet", data_files=str(out / "data" / "*.parquet"),
                                   split="train", cache_dir=str(tmp_path / "cache"))
    assert loaded.num_rows == 30
    assert loaded[0]["id"] == "a-0" and loaded[29]["id"] == "b-9"
    card = (out / "README.md").read_text()
    header = card.split("---\n")[1]
    import yaml

    meta = yaml.safe_load(header)
    assert meta["configs"][0]["data_files"][0]["path"] == "data/train-00000-of-00001.parquet"
    assert meta["size_categories"] == ["n<1K"] and meta["license"] == "cc-by-4.0"
    assert "## Known defects\n\n- some texts are short" in card
    assert result.manifest_sha256 in card


def test_croissant_export_validates_and_reads_with_mlcroissant(team: Workspace, version: str,
                                                               tmp_path: Path) -> None:
    import mlcroissant as mlc

    out = tmp_path / "cr"
    result = export_version(team, version, format="croissant", out=out, license="CC-BY-4.0")
    assert result.files == ["README.md", "croissant.json", "data/train-00000-of-00001.parquet"]
    doc = json.loads((out / "croissant.json").read_text())
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.1"
    assert doc["rai:dataLimitations"] == DATASHEET["known_defects"]
    assert doc["rai:dataPreprocessingProtocol"] == DATASHEET["cleaning_rules"]
    assert doc["rai:dataAnnotationProtocol"] == ["none (raw pool)", "guide version g-1"]
    assert "applicable: annotation" in doc["rai:dataUseCases"]
    dataset = mlc.Dataset(jsonld=str(out / "croissant.json"))  # raises on any error
    issues = dataset.metadata.ctx.issues
    assert not issues.errors and not issues.warnings, issues.report()
    assert dataset.metadata.data_limitations == DATASHEET["known_defects"]
    records = list(dataset.records("records"))
    assert len(records) == 30 and records[0]["records/id"] == b"a-0"


def test_a_candidate_version_is_refused_and_nothing_written(team: Workspace,
                                                            tmp_path: Path) -> None:
    version_id = candidate(team, tmp_path)
    out = tmp_path / "out"
    with pytest.raises(PolicyViolation) as err:
        export_version(team, version_id, format="hf", out=out)
    assert str(err.value) == (
        f"version {version_id} is candidate; only frozen versions are exported; expected a "
        f"frozen version; got 'candidate'. Kept: nothing was written. Next: flywheel versions "
        f"freeze {version_id}")
    assert not out.exists() and not list(tmp_path.glob(".out.tmp-*"))


def test_bad_format_and_non_empty_folder_are_refused(team: Workspace, version: str,
                                                     tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="unknown export format 'csv'; field 'format'; expected "
                       "one of hf, croissant, dvc. Kept: nothing was written"):
        export_version(team, version, format="csv", out=tmp_path / "x")
    with pytest.raises(BadInput, match="not an SPDX license id: 'my license'"):
        export_version(team, version, format="hf", out=tmp_path / "x", license="my license")
    with pytest.raises(BadInput, match="not an SPDX license id: 'CC-BY-5.0'; field 'license'; "
                       "expected one id of the SPDX licence list"):  # the right shape, no such id
        export_version(team, version, format="hf", out=tmp_path / "x", license="CC-BY-5.0")
    with pytest.raises(BadInput, match="not an SPDX license id: 'MIT OR Apache-2.0'"):
        export_version(team, version, format="croissant", out=tmp_path / "x",
                       license="MIT OR Apache-2.0")
    with pytest.raises(BadInput, match="a Croissant export needs a licence; field 'license'; "
                       "expected --license with an SPDX id, e.g. CC-BY-4.0. Kept: nothing"):
        export_version(team, version, format="croissant", out=tmp_path / "x")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(BadInput, match="busy exists and is not an empty folder"):
        export_version(team, version, format="hf", out=busy)
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    assert not (tmp_path / "x").exists()


def test_a_flipped_byte_in_a_stored_file_stops_the_export(team: Workspace, version: str,
                                                          tmp_path: Path) -> None:
    import os

    from dataflywheel.errors import IntegrityError
    from dataflywheel.flows.data.lineage import version_lineage

    victim = version_lineage(team, version).batches[0].files[0]
    path = Path(team.blobs.path_of(victim.sha256))
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[5] ^= 0x01
    path.write_bytes(bytes(data))
    out = tmp_path / "hf"
    with pytest.raises(IntegrityError) as err:
        export_version(team, version, format="hf", out=out)
    message = str(err.value)
    assert f"stored file {victim.name} does not match its manifest digest" in message
    assert f"expected {victim.sha256}" in message and "Kept: nothing was written" in message
    assert not out.exists() and not list(tmp_path.glob(".hf.tmp-*"))


def test_files_with_different_fields_share_one_schema(tmp_path: Path) -> None:
    import io
    from dataclasses import dataclass

    import pyarrow as pa
    import pyarrow.parquet as pq

    from dataflywheel.flows.data.export import conform, file_tables, unified_schema
    from dataflywheel.store.blobs import BlobStore

    @dataclass
    class Blobs:  # the real blob store; the export reads nothing else of a workspace here
        blobs: BlobStore

    store = Blobs(BlobStore(str(tmp_path / "objects")))
    jsonl = b'{"id": "a", "n": 1}\n\n{"id": "b", "n": null}\n'
    sink = io.BytesIO()
    pq.write_table(pa.table({"id": ["c"], "extra": [True]}), sink)
    entries = [{"name": "a.jsonl", "format": "jsonl",
                "sha256": store.blobs.put_stream(io.BytesIO(jsonl)).sha256},
               {"name": "c.parquet", "format": "parquet",
                "sha256": store.blobs.put_stream(io.BytesIO(sink.getvalue())).sha256}]
    manifest = {"batches": [{"files": entries}]}
    schema = unified_schema(store, manifest)  # type: ignore[arg-type]
    assert schema.names == ["id", "n", "extra"]
    rows = [r for t in file_tables(store, manifest)  # type: ignore[arg-type]
            for r in conform(t, schema).to_pylist()]
    assert rows == [{"id": "a", "n": 1, "extra": None}, {"id": "b", "n": None, "extra": None},
                    {"id": "c", "n": None, "extra": True}]


def test_the_card_and_the_croissant_file_say_the_same_thing(team: Workspace, version: str,
                                                            tmp_path: Path) -> None:
    import yaml

    out = tmp_path / "cr"
    result = export_version(team, version, format="croissant", out=out, license="cc-by-4.0")
    doc = json.loads((out / "croissant.json").read_text())
    card = (out / "README.md").read_text()
    header = yaml.safe_load(card.split("---")[1])
    assert doc["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"  # the canonical id
    assert header["license"] == "cc-by-4.0"  # the Hub's spelling of the same id
    assert result.manifest_sha256 in doc["identifier"] and result.manifest_sha256 in card
    assert doc["alternateName"] == result.label and result.label in card
    assert doc["description"] in card


NESTED = [{**plain, "tags": ["math", f"grade-{i % 3}"][: 1 + i % 2],
           "meta": {"annotator": f"a{i % 2}", "score": i / 10},
           "turns": [{"role": "user", "text": f"q{i}"}, {"role": "assistant", "text": f"a{i}"}],
           "grid": [[i, i + 1], [i + 2]]} for i, plain in enumerate(rows("n", 12, seed=3))]


@pytest.mark.parametrize("backend_url", ["sqlite"], indirect=True)
def test_nested_columns_are_typed_and_every_record_reads(team: Workspace,
                                                         tmp_path: Path) -> None:
    """Lists, structs, lists of structs and lists of lists: mlcroissant reads every record of the
    typed version back as it was delivered."""
    import mlcroissant as mlc
    from contract_fixtures import contract_text
    from datapool_helpers import setup_pool
    from export_helpers import DATASHEET as SHEET
    from export_helpers import deliver_rows

    from dataflywheel.flows.data import versions as flows
    from dataflywheel.flows.data.version_release import freeze

    allowing = contract_text("cleaned-raw-pool").replace(
        "property: additionalFields\n    value: reject", "property: additionalFields\n    value: allow")
    assert "value: allow" in allowing
    requirement = setup_pool(team, contract_text=allowing).requirement
    batch = deliver_rows(team, tmp_path / "n.jsonl", NESTED, requirement=requirement)
    candidate_version = flows.create_version(team, "raw-pool", by="data-engineer",
                                             batch_ids=[batch.id])
    flows.set_datasheet(team, candidate_version.id, SHEET, by="data-engineer")
    freeze(team, candidate_version.id, by="data-owner")
    out = tmp_path / "cr"
    export_version(team, candidate_version.id, format="croissant", out=out, license="MIT")
    doc = json.loads((out / "croissant.json").read_text())
    fields = {f["name"]: f for f in doc["recordSet"][0]["field"]}
    assert (fields["tags"]["isArray"], fields["tags"]["dataType"]) == (True, "sc:Text")
    assert fields["grid"]["arrayShape"] == "-1,-1" and fields["grid"]["dataType"] == "sc:Integer"
    assert [f["name"] for f in fields["meta"]["subField"]] == ["annotator", "score"]
    assert fields["turns"]["isArray"] and fields["turns"]["subField"][1]["source"][
        "transform"] == {"jsonPath": "text"}
    dataset = mlc.Dataset(jsonld=str(out / "croissant.json"))
    issues = dataset.metadata.ctx.issues
    assert not issues.errors, issues.report()
    read = list(dataset.records("records"))
    assert len(read) == len(NESTED)
    by_id = {r["records/id"].decode(): r for r in read}
    for row in NESTED:
        got = by_id[row["id"]]
        assert [t.decode() for t in got["records/tags"]] == row["tags"]
        assert got["records/meta"]["records/meta/score"] == row["meta"]["score"]
        assert got["records/meta"]["records/meta/annotator"].decode() == row["meta"]["annotator"]
        assert [t["records/turns/text"].decode() for t in got["records/turns"]] == [
            t["text"] for t in row["turns"]]
        assert got["records/grid"] == row["grid"]
