"""Exception types and what each needs (the chapter's Table 24-9), as a pure policy.

The flows enforce the rows: who approves (`flows.exception_approvers` fills the "Approval
Requirements" column with roles), which records a request states, and what happens at expiry.
A compliance exception carries the source description, its risk level and its access list (the
people who may read what it covers); its expiry or revocation revokes every access grant it
allowed, audited (`flows.exception_grants`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dataflywheel.domain.records.governance import ExceptionType


@dataclass(frozen=True)
class ExceptionTypeRow:
    """One row of Table 24-9."""

    type: ExceptionType
    name: str
    applicable_scenarios: str
    required_records: str
    approval_requirements: str
    upon_expiry: str


# Table 24-9, cell for cell (tests/domain/test_exception_types.py holds it to the chapter).
TABLE_24_9: tuple[ExceptionTypeRow, ...] = (
    ExceptionTypeRow(ExceptionType.TIME, "Time exception",
                     "Critical experiment window approaching; full acceptance not yet complete",
                     "Batch used, outstanding check items, risk statement",
                     "Data Owner or on-call lead approval",
                     "Complete acceptance; confirm whether to promote to official status"),
    ExceptionTypeRow(ExceptionType.QUALITY, "Quality exception",
                     "Coarsely labeled data, weakly supervised data, or exploratory samples",
                     "Quality gaps, usage restrictions, isolation labels",
                     "Data Owner and algorithm lead jointly confirm",
                     "Non-conforming samples may not enter official versions"),
    ExceptionTypeRow(ExceptionType.FORMAT, "Format exception",
                     "Downstream temporarily needs a non-standard format for analysis",
                     "Field differences, conversion scripts, compatibility period",
                     "Data engineering lead approval",
                     "Complete format migration or retire the temporary format"),
    ExceptionTypeRow(ExceptionType.COMPLIANCE, "Compliance exception",
                     "Data source or authorization boundary requires further determination",
                     "Source description, risk level, access list",
                     "Legal compliance specialist and Data Owner approval",
                     "Access permissions automatically revoked upon expiry"),
)

# The request fields that hold a type's required records beyond those every request states.
EXTRA_RECORDS: dict[ExceptionType, tuple[str, ...]] = {
    ExceptionType.COMPLIANCE: ("source_description", "risk_level", "access_list"),
}


def row_for(kind: ExceptionType) -> ExceptionTypeRow:
    """The Table 24-9 row of an exception type."""
    return next(r for r in TABLE_24_9 if r.type is kind)
