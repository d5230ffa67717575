"""Sensitivity levels and the reading rule (the chapter's Table 24-20), as a pure policy.

The table has five rows. Four are levels a dataset or asset is declared at (`Sensitivity`:
public < internal < confidential < restricted); the fifth, derived data, is not a level of its
own but a rule: data built from other assets is *re-graded* from its sources. Its effective level
is at least the most sensitive source's (the re-grade "based on source"), unless an approved
re-grade (who, why, audited) sets it lower ("based on processing method", e.g. de-identified).

The reading rule every read of a version's contents goes through (`read_rule`):

- public (the open level): project members read on demand, no grant; the read is still audited
  (version citation and download);
- anything above it — internal, confidential, restricted, whatever the version's state — needs an
  active grant and a stated purpose, and every read and refusal is audited (accessor, purpose,
  term, fields, export);
- restricted is prohibited by default: its grant must rest on an approved compliance exception
  (Table 24-9) that lists the reader, and ends when that exception ends;
- an archived version, whatever its level, is read only with a grant (it is out of active use).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dataflywheel.domain.records.governance import Sensitivity

OPEN_LEVEL = Sensitivity.PUBLIC
DERIVED = "derived"


@dataclass(frozen=True)
class SensitivityRow:
    """One row of Table 24-20, with the level it binds (`derived`: the re-grade rule)."""

    key: str
    level: str
    example: str
    default_access_policy: str
    audit_requirements: str


# Table 24-20, cell for cell (tests/domain/test_sensitivity_policy.py holds it to the chapter).
TABLE_24_20: tuple[SensitivityRow, ...] = (
    SensitivityRow(Sensitivity.PUBLIC.value, "Public data",
                   "Open-source datasets, public web text",
                   "Project members may apply on demand",
                   "Record version citations and download behavior"),
    SensitivityRow(Sensitivity.INTERNAL.value, "Internal ordinary data",
                   "Internal knowledge base, product documentation, non-sensitive operational "
                   "documents",
                   "Authorized related projects only",
                   "Record accessor, intended use, and term"),
    SensitivityRow(Sensitivity.CONFIDENTIAL.value, "Internal sensitive data",
                   "User feedback, business logs, human review records",
                   "Minimum privilege, desensitization preferred, term control",
                   "Record field-level access and export behavior"),
    SensitivityRow(Sensitivity.RESTRICTED.value, "Restricted data",
                   "Data potentially involving privacy, copyright disputes, or contractual "
                   "restrictions",
                   "Prohibited by default; approved by exception",
                   "Full audit, isolated environment, revocation upon expiry"),
    SensitivityRow(DERIVED, "Derived data",
                   "Cleaned samples, annotation results, model-generated data",
                   "Re-graded based on source and processing method",
                   "Record source lineage and usage boundaries"),
)


def row_for(key: str) -> SensitivityRow:
    """The Table 24-20 row of a level (or of `derived`)."""
    return next(r for r in TABLE_24_20 if r.key == key)


def highest(levels: Iterable[Sensitivity]) -> Sensitivity:
    """The most sensitive of `levels` (public when there are none)."""
    return max(levels, key=lambda level: level.rank, default=OPEN_LEVEL)


@dataclass(frozen=True)
class Grade:
    """A version's effective level and why: its own, what its sources pass on, a re-grade."""

    level: Sensitivity
    declared: Sensitivity
    inherited: Sensitivity
    regraded_to: Sensitivity | None
    sources: tuple[str, ...]

    @property
    def derived(self) -> bool:
        return bool(self.sources)

    def explain(self) -> str:
        """One line for messages: e.g. `restricted (declared internal; inherits restricted from
        V-0001)`."""
        parts = [f"declared {self.declared.value}"]
        if self.sources:
            parts.append(f"inherits {self.inherited.value} from {', '.join(self.sources)}")
        if self.regraded_to is not None:
            parts.append(f"re-graded to {self.regraded_to.value}")
        return f"{self.level.value} ({'; '.join(parts)})"


def grade(declared: Iterable[Sensitivity], sources: dict[str, Sensitivity],
          regraded_to: Sensitivity | None) -> Grade:
    """Effective level: the highest of the declared levels (dataset, registered assets) and of
    the sources' levels; an approved re-grade replaces what the sources pass on, never lowering
    below what is declared for the data itself."""
    own = highest(declared)
    inherited = highest(sources.values())
    passed_on = inherited if regraded_to is None else regraded_to
    return Grade(level=highest((own, passed_on)), declared=own, inherited=inherited,
                 regraded_to=regraded_to, sources=tuple(sorted(sources)))


@dataclass(frozen=True)
class ReadRule:
    """What a read of a version at `level` (and archived or not) needs."""

    level: Sensitivity
    grant_needed: bool
    purpose_needed: bool
    exception_needed: bool

    def summary(self) -> str:
        if not self.grant_needed:
            return f"{self.level.value}: no grant needed (open level)"
        extra = " resting on an approved compliance exception" if self.exception_needed else ""
        return f"{self.level.value}: an active grant{extra} and a stated purpose"


def read_rule(level: Sensitivity, *, archived: bool) -> ReadRule:
    """Table 24-20's access policy for one read: above the open level, or archived, needs a
    grant whatever the state; restricted rests on a compliance exception."""
    governed = level.rank > OPEN_LEVEL.rank
    return ReadRule(level=level, grant_needed=governed or archived, purpose_needed=governed,
                    exception_needed=level is Sensitivity.RESTRICTED)
