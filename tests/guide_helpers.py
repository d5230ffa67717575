"""Annotation-guide files for tests: a v1.2.0 front matter and body, edited and written as text."""

from __future__ import annotations

import copy
from typing import Any

import yaml

BASE: dict[str, Any] = {
    "guide": "sft-guide",
    "version": "1.2.0",
    "title": "SFT answer quality",
    "notice_days": 7,
    "reason": "first published version",
    "labels": [
        {"name": "helpful", "definition": "answers the instruction fully and correctly",
         "boundary": "a correct answer with a minor formatting slip is still helpful"},
        {"name": "unhelpful", "definition": "misses, refuses or misreads the instruction"},
    ],
    "examples": [
        {"id": "EX-1", "label": "helpful", "kind": "typical", "text": "Q: 2+2? A: 4",
         "explanation": "complete and correct"},
        {"id": "EX-2", "label": "helpful", "kind": "boundary", "text": "Q: list 3 fruits A: apple, pear",
         "explanation": "two of three is not complete"},
        {"id": "EX-3", "label": "unhelpful", "kind": "counter", "text": "Q: summarise A: (a refusal)",
         "explanation": "a refusal without cause is unhelpful, not unsafe"},
    ],
}
BODY = "# SFT answer quality\n\nRead the instruction first; judge the answer against it.\n"


def guide_doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    doc.update(changes)
    return doc


def guide_text(doc: dict[str, Any] | None = None, body: str = BODY) -> str:
    head = yaml.safe_dump(doc if doc is not None else BASE, sort_keys=False, allow_unicode=True)
    return f"---\n{head}---\n{body}"


def next_version(version: str = "1.3.0", **changes: Any) -> dict[str, Any]:
    """v1.3.0: the boundary example EX-2 clarified and a counter-example added (compatible)."""
    doc = guide_doc(version=version, reason="boundary of 'helpful' clarified after vendor questions")
    doc["examples"][1]["explanation"] = "two of three: unhelpful, the instruction asked for three"
    doc["examples"][1]["label"] = "unhelpful"
    doc["examples"].append({"id": "EX-4", "label": "unhelpful", "kind": "counter",
                            "text": "Q: 3 colours A: red, red, blue",
                            "explanation": "a repeated item does not count"})
    doc.update(changes)
    return doc
