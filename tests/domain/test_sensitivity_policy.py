"""Table 24-20 as a pure policy: the product's copy matches the chapter cell for cell; the
reading rule (open level, grants whatever the state, restricted by exception); derived data
re-graded from its sources unless an approved re-grade lowers it."""

from __future__ import annotations

from dataflywheel.domain.policies.sensitivity import (
    DERIVED,
    OPEN_LEVEL,
    TABLE_24_20,
    grade,
    read_rule,
    row_for,
)
from dataflywheel.domain.records.governance import Sensitivity as S

# Transcribed from the chapter (ch24, "Table 24-20: LLM Data Sensitivity Levels and Access
# Governance"): level | example | default access policy | audit requirements.
CHAPTER_24_20 = [
    ("Public data", "Open-source datasets, public web text",
     "Project members may apply on demand", "Record version citations and download behavior"),
    ("Internal ordinary data",
     "Internal knowledge base, product documentation, non-sensitive operational documents",
     "Authorized related projects only", "Record accessor, intended use, and term"),
    ("Internal sensitive data", "User feedback, business logs, human review records",
     "Minimum privilege, desensitization preferred, term control",
     "Record field-level access and export behavior"),
    ("Restricted data",
     "Data potentially involving privacy, copyright disputes, or contractual restrictions",
     "Prohibited by default; approved by exception",
     "Full audit, isolated environment, revocation upon expiry"),
    ("Derived data", "Cleaned samples, annotation results, model-generated data",
     "Re-graded based on source and processing method",
     "Record source lineage and usage boundaries"),
]


def test_the_product_copy_of_table_24_20_matches_the_chapter_cell_for_cell() -> None:
    copy = [(r.level, r.example, r.default_access_policy, r.audit_requirements)
            for r in TABLE_24_20]
    assert copy == CHAPTER_24_20
    assert [r.key for r in TABLE_24_20] == [*(s.value for s in S), DERIVED]
    assert row_for("restricted").level == "Restricted data"


def test_above_the_open_level_a_grant_is_needed_whatever_the_state() -> None:
    assert OPEN_LEVEL is S.PUBLIC
    public = read_rule(S.PUBLIC, archived=False)
    assert (public.grant_needed, public.purpose_needed, public.exception_needed) == (
        False, False, False)
    assert read_rule(S.PUBLIC, archived=True).grant_needed  # archived: out of active use
    for level in (S.INTERNAL, S.CONFIDENTIAL, S.RESTRICTED):
        for archived in (False, True):
            rule = read_rule(level, archived=archived)
            assert rule.grant_needed and rule.purpose_needed
            assert rule.exception_needed is (level is S.RESTRICTED)
    assert read_rule(S.RESTRICTED, archived=False).summary() == (
        "restricted: an active grant resting on an approved compliance exception and a stated "
        "purpose")


def test_derived_data_inherits_its_most_sensitive_source_unless_re_graded() -> None:
    plain = grade([S.INTERNAL], {}, None)
    assert (plain.level, plain.derived) == (S.INTERNAL, False)
    derived = grade([S.PUBLIC, S.INTERNAL], {"V-0001": S.RESTRICTED, "V-0002": S.CONFIDENTIAL},
                    None)
    assert derived.level is S.RESTRICTED and derived.derived
    assert derived.explain() == (
        "restricted (declared internal; inherits restricted from V-0001, V-0002)")
    lowered = grade([S.INTERNAL], {"V-0001": S.RESTRICTED}, S.PUBLIC)
    assert lowered.level is S.INTERNAL  # a re-grade never goes below the data's own level
    assert lowered.explain() == (
        "internal (declared internal; inherits restricted from V-0001; re-graded to public)")
    assert grade([S.PUBLIC], {"V-0001": S.RESTRICTED}, S.CONFIDENTIAL).level is S.CONFIDENTIAL
