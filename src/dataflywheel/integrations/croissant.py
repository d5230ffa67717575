"""Croissant 1.1 JSON-LD (mlcommons.org/croissant) for a frozen version exported as Parquet.

`croissant_document(...)` describes one Parquet `FileObject` (with its sha256) and one
`RecordSet` whose fields extract the Parquet columns — lists as arrays, structs as sub-fields —
(`field`); the licence is an SPDX id, stated as its spdx.org URL; the datasheet goes into the responsible-AI
(RAI) vocabulary: objective and sources → `rai:dataCollection`, cleaning rules →
`rai:dataPreprocessingProtocol`, annotation standard and guide → `rai:dataAnnotationProtocol`,
scenarios → `rai:dataUseCases`, known defects → `rai:dataLimitations`, the compliance conclusion
→ `rai:personalSensitiveInformation`. Nothing here reads the store or needs `mlcroissant`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
RECORD_SET = "records"
FILE_ID = "parquet-data"

# The standard Croissant 1.1 @context (as mlcroissant and the spec's examples write it).
CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "arrayShape": "cr:arrayShape",
    "citeAs": "cr:citeAs", "column": "cr:column", "conformsTo": "dct:conformsTo",
    "containedIn": "cr:containedIn", "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/", "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "description": {"@container": "@language"},
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract",
    "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes",
    "isArray": "cr:isArray", "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath",
    "key": "cr:key", "md5": "cr:md5", "name": {"@container": "@language"},
    "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated",
    "replace": "cr:replace", "samplingRate": "cr:samplingRate", "sc": "https://schema.org/",
    "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField",
    "transform": "cr:transform",
}


def data_type(arrow_type: pa.DataType) -> str:
    """The schema.org type of an Arrow column (text for anything without a closer match)."""
    if pa.types.is_boolean(arrow_type):
        return "sc:Boolean"
    if pa.types.is_integer(arrow_type):
        return "sc:Integer"
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return "sc:Float"
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return "sc:Date"
    return "sc:Text"


def field(name: str, field_id: str, arrow_type: pa.DataType, *, column: str,
          path: list[str]) -> dict[str, Any]:
    """The `cr:Field` of a Parquet column or of a part of one, so that `mlcroissant` reads every
    record with its nesting: a list (of lists …) is `isArray` with one `-1` per level in
    `arrayShape` and the type of its innermost items; a struct has a `subField` per member, each
    extracted from the column with a `jsonPath` from the nearest enclosing array element (or the
    column itself)."""
    depth, inner = 0, arrow_type
    while pa.types.is_list(inner) or pa.types.is_large_list(inner) or \
            pa.types.is_fixed_size_list(inner):
        depth, inner = depth + 1, inner.value_type
    out: dict[str, Any] = {"@type": "cr:Field", "@id": field_id, "name": name}
    if depth:
        out["isArray"], out["arrayShape"] = True, ",".join(["-1"] * depth)
    if pa.types.is_struct(inner):
        start = [] if depth else path
        out["subField"] = [field(member.name, f"{field_id}/{member.name}", member.type,
                                 column=column, path=[*start, member.name])
                           for member in inner]
        return out
    out["dataType"] = data_type(inner)
    out["source"] = {"fileObject": {"@id": FILE_ID}, "extract": {"column": column},
                     **({"transform": {"jsonPath": ".".join(path)}} if path else {})}
    return out


def _texts(*values: Any) -> list[str]:
    out: list[str] = []
    for value in values:
        if isinstance(value, list):
            out += [str(v) for v in value if str(v).strip()]
        elif value is not None and str(value).strip():
            out.append(str(value))
    return out


def rai_fields(manifest: dict[str, Any]) -> dict[str, Any]:
    """The datasheet (and compliance) in Croissant's RAI vocabulary; unstated ones left out."""
    sheet = manifest.get("datasheet", {})
    sources = sheet.get("sources") or []
    fields: dict[str, Any] = {
        "rai:dataCollection": "; ".join(_texts(sheet.get("objective"),
                                               "sources: " + ", ".join(sources) if sources
                                               else None)),
        "rai:dataPreprocessingProtocol": _texts(sheet.get("cleaning_rules")),
        "rai:dataAnnotationProtocol": _texts(
            sheet.get("annotation_standard"),
            f"guide version {sheet['guide_version']}" if sheet.get("guide_version") else None),
        "rai:dataUseCases": _texts([f"applicable: {s}" for s in
                                    sheet.get("applicable_scenarios") or []],
                                   [f"inapplicable: {s}" for s in
                                    sheet.get("inapplicable_scenarios") or []]),
        "rai:dataLimitations": _texts(sheet.get("known_defects")) or (
            ["none known"] if sheet.get("known_defects") == [] else []),
        "rai:personalSensitiveInformation": _texts(
            sheet.get("compliance_conclusion"),
            f"compliance status: {manifest.get('compliance')}",
            f"sensitivity: {manifest['dataset'].get('sensitivity')}"),
    }
    if manifest["version"].get("experimental"):
        fields["rai:dataLimitations"] = [*fields["rai:dataLimitations"],
                                         "experimental: frozen under a quality exception"]
    return {k: v for k, v in fields.items() if v}


def croissant_document(manifest: dict[str, Any], schema: pa.Schema, *, label: str,
                       manifest_sha256: str, parquet_path: str, parquet_sha256: str,
                       url: str, published: str | None = None,
                       license: str | None = None) -> dict[str, Any]:
    """The Croissant 1.1 metadata of one exported frozen version."""
    dataset, version = manifest["dataset"], manifest["version"]
    fields = [field(f.name, f"{RECORD_SET}/{f.name}", f.type, column=f.name, path=[])
              for f in schema]
    doc: dict[str, Any] = {
        "@context": CONTEXT, "@type": "sc:Dataset", "conformsTo": CONFORMS_TO,
        "name": f"{dataset['name']}", "alternateName": label,
        "description": (manifest.get("datasheet", {}).get("objective")
                        or f"Frozen version {label} of {dataset['name']}"),
        "url": url, "version": f"{version['number']}.0.0",
        "citeAs": f"{dataset['name']} {label}, manifest sha256 {manifest_sha256}",
        "identifier": f"sha256:{manifest_sha256}",
        "keywords": ["dataflywheel", dataset["purpose"], dataset["sensitivity"]],
        "distribution": [{"@type": "cr:FileObject", "@id": FILE_ID, "name": FILE_ID,
                          "contentUrl": parquet_path, "encodingFormat": "application/x-parquet",
                          "sha256": parquet_sha256}],
        "recordSet": [{"@type": "cr:RecordSet", "@id": RECORD_SET, "name": RECORD_SET,
                       "field": fields}],
    }
    if published:
        doc["datePublished"] = published
    if license:
        doc["license"] = f"https://spdx.org/licenses/{license}.html"
    doc.update(rai_fields(manifest))
    return doc


def write_croissant(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
