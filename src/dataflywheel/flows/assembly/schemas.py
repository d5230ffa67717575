"""The JSON Schemas shipped for P10's fifteen deliverables, and validation of a file against its.

A schema is generated from the model of what its file holds (`deliverables.MODELS`, and for the
two Markdown files the front matter they open with; for the `.jsonl`, one line), then shipped in
the package (`schemas/*.schema.json`) so a reader without dataflywheel can validate an export.
`tests/flows/assembly` regenerates them and compares; after changing a model, rewrite them with
`python -m dataflywheel.flows.assembly.schemas`.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel

from dataflywheel.flows.assembly.deliverables import (
    ALL,
    MODELS,
    REPORT,
    TEST_REPORT,
    TEST_RESULTS,
)
from dataflywheel.reports.system_artifacts import CheckResults, FrontMatter
from dataflywheel.reports.system_report import split_front_matter

DRAFT = "https://json-schema.org/draft/2020-12/schema"
FOLDER = "schemas"


def model_of(path: str) -> type[BaseModel]:
    """The model a deliverable's content (a line of it, its front matter) is an instance of."""
    if path in (REPORT, TEST_REPORT):
        return FrontMatter
    if path == TEST_RESULTS:
        return CheckResults
    return MODELS[path]


def schema_file(path: str) -> str:
    """`data/processed/cost_model.json` → `cost_model.schema.json`."""
    return PurePosixPath(path).name.split(".")[0] + ".schema.json"


def generated(path: str) -> dict[str, Any]:
    """The schema the model gives now (what the shipped file must equal)."""
    schema = model_of(path).model_json_schema(mode="serialization")
    what = ("one line of " if path.endswith(".jsonl") else
            "the front matter of " if path.endswith(".md") else "")
    return {"$schema": DRAFT, "$comment": f"{what}{path} (P10 §17), generated from "
            f"{model_of(path).__module__}.{model_of(path).__name__}", **schema}


@lru_cache(maxsize=None)
def shipped(path: str) -> dict[str, Any]:
    text = files("dataflywheel.flows.assembly").joinpath(FOLDER, schema_file(path)).read_text(
        encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


@lru_cache(maxsize=None)
def _validator(path: str) -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(shipped(path))


def documents(path: str, text: str) -> list[tuple[str, Any]]:
    """What in a file's text the schema applies to, each with where it is: the JSON document,
    each line of a `.jsonl`, or a Markdown file's front matter. Unreadable text is a `ValueError`
    naming the place."""
    if path.endswith(".md"):
        return [("front matter", split_front_matter(text)[0])]
    if path.endswith(".jsonl"):
        return [(f"line {n}", _json(line, f"line {n}"))
                for n, line in enumerate(text.splitlines(), 1)]
    return [("", _json(text, "the file"))]


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where} is not JSON ({exc.msg} at {exc.lineno}:{exc.colno})") from None


def problems(path: str, text: str) -> list[str]:
    """Each way the file's text breaks its shipped schema, named by place (empty: valid)."""
    import jsonschema

    try:
        docs = documents(path, text)
    except ValueError as exc:
        return [str(exc)]
    out = []
    for where, doc in docs:
        error = jsonschema.exceptions.best_match(_validator(path).iter_errors(doc))
        if error is not None:
            place = "/".join(str(p) for p in error.absolute_path) or "(top)"
            out.append(f"{where + ' ' if where else ''}{place}: {error.message}")
    return out


def write_all(folder: Path) -> list[Path]:
    """Write every generated schema into `folder` (the package's `schemas/` when maintaining)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path in ALL:
        target = folder / schema_file(path)
        target.write_text(json.dumps(generated(path), indent=2, sort_keys=True,
                                     ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for done in write_all(Path(__file__).with_name(FOLDER)):
        print(done)
