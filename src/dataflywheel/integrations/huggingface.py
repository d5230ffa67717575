"""Hugging Face dataset layout: Parquet under `data/` and a dataset card (README.md, YAML header).

`write_parquet(path, schema, tables)` streams rows into `data/train-00000-of-00001.parquet`;
`write_card(out, manifest, label=..., rows=...)` writes the dataset card, whose header names the
config and its data files (so `datasets.load_dataset("parquet", ...)` and the Hub read it), the
row count's size category, and tags; the body is the version's datasheet, its contract versions
and its manifest digest. Nothing here reads the store: the caller passes the
manifest (a frozen version's) and the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import yaml

PARQUET_NAME = "train-00000-of-00001.parquet"
_SIZES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
          (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"))


def size_category(rows: int) -> str:
    for limit, name in _SIZES:
        if rows < limit:
            return name
    return "n>10M"


def write_parquet(path: Path, schema: pa.Schema, tables: Iterable[pa.Table]) -> int:
    """Stream `tables` (each already of `schema`) into one Parquet file; returns the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for table in tables:
            writer.write_table(table)
            rows += table.num_rows
    return rows


def card_header(manifest: dict[str, Any], *, label: str, rows: int,
                license: str | None = None) -> dict[str, Any]:
    dataset = manifest["dataset"]
    return {
        **({"license": license.lower()} if license else {}),
        "pretty_name": f"{dataset['name']} {label}",
        "size_categories": [size_category(rows)],
        "tags": ["dataflywheel", f"purpose:{dataset['purpose']}",
                 f"sensitivity:{dataset['sensitivity']}"]
        + (["experimental"] if manifest["version"].get("experimental") else []),
        "configs": [{"config_name": "default",
                     "data_files": [{"split": "train", "path": f"data/{PARQUET_NAME}"}]}],
    }


def _section(title: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        body = "_Not stated._"
    elif isinstance(value, list):
        body = "\n".join(f"- {item}" for item in value)
    else:
        body = str(value)
    return f"## {title}\n\n{body}\n"


def card_body(manifest: dict[str, Any], *, label: str, manifest_sha256: str) -> str:
    sheet = manifest.get("datasheet", {})
    version = manifest["version"]
    lines = [f"# {manifest['dataset']['name']} {label}\n",
             (f"Frozen dataset version `{version['id']}` (number {version['number']}); "
             f"manifest sha256 `{manifest_sha256}`; {manifest['row_count']} rows; "
             f"compliance: {manifest.get('compliance')}.\n")]
    if version.get("experimental"):
        lines.append("**Experimental:** frozen under a quality exception; not for formal "
                     "experiments.\n")
    sections = (("Objective", "objective"), ("Sources", "sources"), ("Sample size", "sample_size"),
                ("Cleaning rules", "cleaning_rules"),
                ("Annotation standard", "annotation_standard"),
                ("Guide version", "guide_version"), ("Quality summary", "quality_summary"),
                ("Compliance conclusion", "compliance_conclusion"),
                ("Known defects", "known_defects"),
                ("Applicable scenarios", "applicable_scenarios"),
                ("Inapplicable scenarios", "inapplicable_scenarios"))
    lines += [_section(title, sheet.get(key)) for title, key in sections]
    lines.append(_section("Contract versions", manifest.get("contract_versions")))
    lines.append(_section("Requirements", manifest.get("requirements")))
    return "\n".join(lines)


def write_card(out: Path, manifest: dict[str, Any], *, label: str, rows: int,
               manifest_sha256: str, license: str | None = None) -> Path:
    """Write `out/README.md`: the YAML header (config, data files, size, tags) and the datasheet,
    for the Parquet file at `data/{PARQUET_NAME}`."""
    header = yaml.safe_dump(card_header(manifest, label=label, rows=rows, license=license),
                            sort_keys=False, allow_unicode=True)
    readme = out / "README.md"
    readme.write_text(f"---\n{header}---\n\n" + card_body(
        manifest, label=label, manifest_sha256=manifest_sha256), encoding="utf-8")
    return readme
