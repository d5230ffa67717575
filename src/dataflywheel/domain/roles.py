"""The seven roles of an LLM data team. People hold roles; the RACI matrix speaks in roles."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    DATA_OWNER = "data_owner"
    DATA_ENGINEER = "data_engineer"
    ANNOTATION_ENGINEER = "annotation_engineer"
    QUALITY_EVALUATOR = "quality_evaluator"
    ALGORITHM_ENGINEER = "algorithm_engineer"
    PLATFORM_ENGINEER = "platform_engineer"
    LEGAL_COMPLIANCE = "legal_compliance"


ROLE_TITLES: dict[Role, str] = {
    Role.DATA_OWNER: "Data Owner",
    Role.DATA_ENGINEER: "Data Engineer",
    Role.ANNOTATION_ENGINEER: "Annotation Engineer / Ops",
    Role.QUALITY_EVALUATOR: "Quality Evaluator",
    Role.ALGORITHM_ENGINEER: "Algorithm Engineer",
    Role.PLATFORM_ENGINEER: "Platform Engineer",
    Role.LEGAL_COMPLIANCE: "Legal / Compliance",
}

ROLE_DUTIES: dict[Role, str] = {
    Role.DATA_OWNER: "owns the data strategy and signs releases, rollbacks and exceptions",
    Role.DATA_ENGINEER: "collects, cleans and versions data; owns structural contracts",
    Role.ANNOTATION_ENGINEER: "designs annotation tasks, guides and vendor work; owns semantic contracts",
    Role.QUALITY_EVALUATOR: "runs quality inspection, spot checks and agreement reviews",
    Role.ALGORITHM_ENGINEER: "consumes data in experiments and states what the model needs",
    Role.PLATFORM_ENGINEER: "keeps storage, pipelines and incident response running",
    Role.LEGAL_COMPLIANCE: "reviews licensing, privacy and sharing of data",
}


def parse_role(value: str) -> Role:
    """Accept `data_owner`, `Data Owner`, `data-owner`; anything else is a clear error."""
    from dataflywheel.errors import BadInput

    key = value.strip().lower().replace("-", "_").replace(" ", "_").replace("/", "_")
    key = {"annotation_engineer___ops": "annotation_engineer", "annotation_ops": "annotation_engineer",
           "legal___compliance": "legal_compliance", "legal": "legal_compliance",
           "compliance": "legal_compliance"}.get(key, key)
    try:
        return Role(key)
    except ValueError:
        raise BadInput(
            f"unknown role {value!r}",
            expected="one of " + ", ".join(r.value for r in Role),
        ) from None
