"""Table 24-9 as a pure policy: the product's copy matches the chapter cell for cell."""

from __future__ import annotations

from dataflywheel.domain.policies.exception_types import EXTRA_RECORDS, TABLE_24_9, row_for
from dataflywheel.domain.records.governance import ExceptionType

# Transcribed from the chapter (ch24, "Table 24-9: DataOps Exception Approval Types and Handling
# Requirements"): type | applicable scenarios | required records | approval | upon expiry.
CHAPTER_24_9 = [
    ("Time exception",
     "Critical experiment window approaching; full acceptance not yet complete",
     "Batch used, outstanding check items, risk statement",
     "Data Owner or on-call lead approval",
     "Complete acceptance; confirm whether to promote to official status"),
    ("Quality exception",
     "Coarsely labeled data, weakly supervised data, or exploratory samples",
     "Quality gaps, usage restrictions, isolation labels",
     "Data Owner and algorithm lead jointly confirm",
     "Non-conforming samples may not enter official versions"),
    ("Format exception",
     "Downstream temporarily needs a non-standard format for analysis",
     "Field differences, conversion scripts, compatibility period",
     "Data engineering lead approval",
     "Complete format migration or retire the temporary format"),
    ("Compliance exception",
     "Data source or authorization boundary requires further determination",
     "Source description, risk level, access list",
     "Legal compliance specialist and Data Owner approval",
     "Access permissions automatically revoked upon expiry"),
]


def test_the_product_copy_of_table_24_9_matches_the_chapter_cell_for_cell() -> None:
    copy = [(r.name, r.applicable_scenarios, r.required_records, r.approval_requirements,
             r.upon_expiry) for r in TABLE_24_9]
    assert copy == CHAPTER_24_9
    assert [r.type for r in TABLE_24_9] == list(ExceptionType)
    assert row_for(ExceptionType.COMPLIANCE).upon_expiry.startswith("Access permissions")
    assert EXTRA_RECORDS[ExceptionType.COMPLIANCE] == (
        "source_description", "risk_level", "access_list")
