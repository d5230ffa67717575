"""Which ODCS documents we accept: each against the official JSON schema of its own `apiVersion`,
and only with properties the check plan enforces; and the words of the mapping both ways share.

Why per version: the installed `open-data-contract-standard` package ships one schema (the newest),
and validating a v3.1.0 contract with the v3.2.0 schema calls valid what v3.1.0 refuses (a
property-level `enum`, a missing `status`) — and the plan then silently drops the v3.2 `enum`.
The schemas shipped in `odcs_schemas/` (see its NOTICE.md for where each comes from) make the
verdict independent of the installed package.

Why refuse unenforced properties: a contract is a promise that every gate it states is checked.
A property that constrains the data (`unique`, `logicalTypeOptions`, `relationships`, …) that the
plan cannot check would pass data the contract forbids, so it is refused, naming what to do.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from dataflywheel.errors import BadInput

SUPPORTED_API_VERSIONS = ("v3.0.2", "v3.1.0", "v3.2.0")
API_VERSION = "v3.1.0"  # the version we write
ENGINE = "dataflywheel"
SUFFIX = ".odcs.yaml"
# ODCS library metrics we check: on the schema object, and per property (`<metric>.<field>`).
LIBRARY_METRICS = {"duplicateValues": "duplicate_rate", "invalidValues": "schema_violation_rate",
                   "rowCount": "record_count"}
FIELD_LIBRARY_METRICS = {"nullValues": "field_null_rate", "missingValues": "field_blank_rate"}
OPS = {"mustBeLessThan": "<", "mustBeLessOrEqualTo": "<=", "mustBeGreaterThan": ">",
       "mustBeGreaterOrEqualTo": ">="}
OWN_PROPERTIES = ("flywheelSemantic", "flywheelOperational", "flywheelChange")
# Property keys that constrain the data but that the check plan cannot check, with the reason.
UNENFORCED_PROPERTY_KEYS = {
    "unique": "uniqueness of one field is not checked (the duplicate check covers whole records)",
    "logicalTypeOptions": "length, pattern, range and format options are not checked",
    "relationships": "references to other tables are not checked",
}
UNENFORCED_OBJECT_KEYS = {"relationships": UNENFORCED_PROPERTY_KEYS["relationships"]}


@lru_cache(maxsize=None)
def schema_validator(api_version: str) -> Any:
    """The JSON schema validator of one supported ODCS version (from the shipped schemas)."""
    import jsonschema

    name = f"odcs-{api_version}.schema.json"
    text = resources.files("dataflywheel.integrations").joinpath("odcs_schemas", name).read_text(
        encoding="utf-8")
    schema = json.loads(text)
    return jsonschema.validators.validator_for(schema)(schema)


def where(path: Any) -> str:
    """A JSON path as the document's reader sees it: `schema[0].properties[2]`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top)"


def validate_odcs(data: Any, *, source: str) -> str:
    """Refuse what is not an ODCS DataContract of a supported version, valid under that version's
    own schema; returns the version. Names the first problem's path."""
    import jsonschema

    if not isinstance(data, dict):
        raise BadInput("an ODCS contract must be a mapping", path=source, got=type(data).__name__)
    if data.get("kind") != "DataContract":
        raise BadInput("not an ODCS data contract", path=source, field="kind",
                       expected="'DataContract'", got=data.get("kind"))
    version = data.get("apiVersion")
    if version not in SUPPORTED_API_VERSIONS:
        raise BadInput("an ODCS version we have no schema for", path=source, field="apiVersion",
                       expected="one of " + ", ".join(SUPPORTED_API_VERSIONS), got=version)
    error = jsonschema.exceptions.best_match(schema_validator(version).iter_errors(data))
    if error is not None:
        raise BadInput(f"invalid ODCS {version} document", path=source,
                       field=where(error.absolute_path), expected=error.message) from None
    return str(version)


def refuse_unenforced(node: dict[str, Any], keys: dict[str, str], here: str, source: str) -> None:
    """A property (or schema object) that sets a constraint the plan cannot check is refused."""
    for key, why in keys.items():
        value = node.get(key)
        if value not in (None, False, [], {}):
            raise BadInput("a property the check plan cannot enforce", path=source,
                           field=f"{here}.{key}",
                           expected=f"no {key} ({why}); state it as a dataflywheel quality rule "
                           "or in the description", got=value)
