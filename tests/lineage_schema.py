"""The parts of the OpenLineage 2-0-2 RunEvent schema (openlineage.io/spec/2-0-2/OpenLineage.json)
every event must satisfy, transcribed for the tests (the official file is not vendored); the
official models build the rest."""

from __future__ import annotations

import uuid
from typing import Any

import jsonschema

_DATASET = {"type": "object", "required": ["namespace", "name"],
            "properties": {"namespace": {"type": "string"}, "name": {"type": "string"},
                           "facets": {"type": "object"}, "inputFacets": {"type": "object"}}}
RUN_EVENT = {
    "type": "object",
    "required": ["eventTime", "producer", "schemaURL", "run", "job", "eventType"],
    "properties": {
        "eventType": {"enum": ["START", "RUNNING", "COMPLETE", "ABORT", "FAIL", "OTHER"]},
        "eventTime": {"type": "string", "format": "date-time"},
        "producer": {"type": "string", "format": "uri"},
        "schemaURL": {"type": "string", "pattern": r"^https://openlineage\.io/spec/"},
        "run": {"type": "object", "required": ["runId"],
                "properties": {"runId": {"type": "string", "format": "uuid"}}},
        "job": {"type": "object", "required": ["namespace", "name"]},
        "inputs": {"type": "array", "items": _DATASET},
        "outputs": {"type": "array", "items": _DATASET},
    },
}




def valid_event(event: dict[str, Any]) -> None:
    """Raise unless `event` is a 2-0-2 RunEvent with a UUID run id."""
    jsonschema.validate(event, RUN_EVENT, format_checker=jsonschema.FormatChecker())
    uuid.UUID(event["run"]["runId"])
