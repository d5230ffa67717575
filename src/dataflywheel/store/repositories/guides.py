"""Repositories of annotation guides: guides, their versions (oldest SemVer first), FAQ entries;
and vendors' lifecycle evidence."""

from __future__ import annotations

from dataflywheel.domain.records.contract import parse_semver
from dataflywheel.domain.records.guide import AnnotationGuide, GuideFaq, GuideVersion
from dataflywheel.store.allocator import next_sequential_id
from dataflywheel.store.repositories.base import Repository
from dataflywheel.domain.records.vendor import VendorEvidence
from dataflywheel.store.tables.guides import GuideFaqRow, GuideRow, GuideVersionRow, VendorEvidenceRow


class Guides(Repository[AnnotationGuide, GuideRow]):
    record_type, row_type, kind, hint = AnnotationGuide, GuideRow, "annotation guide", \
        "flywheel guides list"

    def find_locked(self, guide_id: str) -> AnnotationGuide | None:
        """The guide, its row locked until the transaction ends, so versions of one guide queue."""
        row = self.session.get(GuideRow, guide_id, with_for_update=True)
        return None if row is None else self.to_record(row)


class GuideVersions(Repository[GuideVersion, GuideVersionRow]):
    record_type, row_type, kind, hint = GuideVersion, GuideVersionRow, "guide version", \
        "flywheel guides list"

    def of_guide(self, guide_id: str) -> list[GuideVersion]:
        """Every version of a guide, oldest SemVer first."""
        return sorted(self.where_in("guide_id", [guide_id]), key=lambda v: parse_semver(v.version))

    def latest(self, guide_id: str) -> GuideVersion | None:
        versions = self.of_guide(guide_id)
        return versions[-1] if versions else None


class GuideFaqs(Repository[GuideFaq, GuideFaqRow]):
    record_type, row_type, kind = GuideFaq, GuideFaqRow, "guide FAQ entry"

    def next_id(self) -> str:
        return next_sequential_id(self.session, GuideFaqRow, "FAQ")

    def citing(self, version_ids: list[str]) -> list[GuideFaq]:
        return sorted(self.where_in("guide_version_id", version_ids), key=lambda f: f.id)


class VendorEvidences(Repository[VendorEvidence, VendorEvidenceRow]):
    record_type, row_type, kind = VendorEvidence, VendorEvidenceRow, "vendor evidence"

    def next_id(self) -> str:
        return next_sequential_id(self.session, VendorEvidenceRow, "VE")

    def of_vendor(self, vendor_id: str) -> list[VendorEvidence]:
        """A vendor's evidence in the order it was recorded."""
        return sorted(self.where_in("vendor_id", [vendor_id]), key=lambda e: (e.recorded_at, e.id))
