"""The standard templates Table 24-18 asks the knowledge base to keep — dataset specification,
annotation guide, quality report, release notes — shipped with the product and versioned with it
("Updated each version cycle"; maintained by the Data Owner and the Platform Engineer).

Each template is a Markdown file under `kb_templates/` with a front matter naming it and its
version. `install` files each shipped version into the knowledge base as a `template` document
titled "NAME template vVERSION", once: installing again adds only versions not yet filed, so a new
product version's templates sit beside the old ones, which stay as they were.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from importlib.resources import files

from pydantic import BaseModel

from dataflywheel.domain.records.kb import DocKind, KbDocument
from dataflywheel.flows.issues.kb import add_document_in
from dataflywheel.flows.workspace import Workspace
from dataflywheel.store.repositories.kb import KbDocuments

NAMES = ("dataset-specification", "annotation-guide", "quality-report", "release-notes")


class ShippedTemplate(BaseModel):
    name: str
    version: str
    title: str
    body: str
    sha256: str

    @property
    def document_title(self) -> str:
        return f"{self.title} template v{self.version}"


def shipped() -> list[ShippedTemplate]:
    """The templates this product version ships, in `NAMES` order."""
    from dataflywheel.yamlsafe import safe_load

    out = []
    for name in NAMES:
        raw = files("dataflywheel.flows.issues").joinpath("kb_templates", f"{name}.md").read_bytes()
        text = raw.decode("utf-8")
        _, head, body = text.split("---\n", 2)
        meta = safe_load(head, source=f"kb_templates/{name}.md")
        out.append(ShippedTemplate(name=meta["template"], version=str(meta["version"]),
                                   title=meta["title"], body=body.lstrip("\n"),
                                   sha256=hashlib.sha256(raw).hexdigest()))
    return out


def install(ws: Workspace, *, now: datetime | None = None) -> list[KbDocument]:
    """File every shipped template version not yet in the knowledge base; the documents added."""
    with ws.db.unit_of_work() as s:
        filed = {d.title for d in KbDocuments(s).list(kind=DocKind.TEMPLATE.value)}
        return [add_document_in(s, actor=ws.actor, kind=DocKind.TEMPLATE, title=t.document_title,
                                body=t.body, now=now)
                for t in shipped() if t.document_title not in filed]
