"""Deliveries over HTTP: a batch as a streamed request body, or read from an allowed object URL.

`POST /api/v1/requirements/{requirement}/deliveries` streams the body — one file of the batch, or
several one after another, each named (`?name=`) with its byte length (`?size=`), in order — to a
staging folder (`api.uploads.spool_parts`, capped in all by `Settings.upload_max_bytes`: 413 over
it, nothing stored), then calls the same `flows.data.delivery.deliver` as `flywheel deliver`;
`…/deliveries/from-url` reads `{"url": …}` (one object) or `{"urls": […]}` (several, one file
each, in order) through fsspec instead, only under the allow-list and all or nothing
(`flows.data.delivery_fetch.deliver_urls`). The metadata are query parameters on both.

The verdict is the answer, not the status: every delivery that was recorded answers 201 with the
batch (`passed`, `awaiting_review` or `failed` with its reason and the issue it opened) — a failed
gate is a stored fact about a stored batch, not a refused request — and the CLI acting through the
server exits 1 for a failed batch exactly as it does locally. Bad input is 400, an unknown record
404, a requirement that takes no deliveries 409; those store nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.concurrency import run_in_threadpool

from dataflywheel.api.deps import ActingWorkspace
from dataflywheel.api.policy import Member, Rule
from dataflywheel.api.uploads import spool_parts
from dataflywheel.errors import BadInput
from dataflywheel.flows.data.delivery import NOTHING, DeliveryAnswer, deliver
from dataflywheel.flows.data.delivery_fetch import (
    deliver_urls,
    distinct_names,
    staged_name,
    staging,
)
from dataflywheel.flows.workspace import Workspace

router = APIRouter(prefix="/api/v1", tags=["deliveries"])

POLICY: dict[tuple[str, str], Rule] = {
    ("POST", "/api/v1/requirements/{requirement}/deliveries"): Member(scope="requirement"),
    ("POST", "/api/v1/requirements/{requirement}/deliveries/from-url"): Member(scope="requirement"),
}

MAX_FILES = 1000
"""The most files one delivery request names."""
EXAMPLE_ROWS = "".join(
    '{"instruction": "Explain photosynthesis to a child", "output": "Plants eat sunlight: '
    f'their leaves turn light, water and air into food ({n}).", "annotator_id": "bl-07", '
    '"confidence": 0.9, "revision_count": 0}\n' for n in range(1, 4))
SUFFIX_OF = {"application/x-ndjson": ".jsonl", "application/jsonl": ".jsonl",
             "application/json-lines": ".jsonl", "application/json": ".json",
             "application/vnd.apache.parquet": ".parquet", "application/x-parquet": ".parquet"}
BINARY = {"schema": {"type": "string", "format": "binary"}}
UPLOAD_BODY = {"requestBody": {"required": True, "description": "one file of the batch, as is", "content": {
    "application/x-ndjson": {"schema": {"type": "string"}, "example": EXAMPLE_ROWS},
    "application/octet-stream": BINARY, "application/vnd.apache.parquet": BINARY}}}


class DeliveryQuery(BaseModel):
    dataset: str
    contract: str
    from_: str | None
    annotators: list[str] | None
    guide_version: str | None
    engine: str
    name: list[str] | None
    size: list[int] | None


def delivery_query(
    dataset: Annotated[str, Query(min_length=1, max_length=200, description="dataset name",
                                  examples=["api-sft"])],
    contract: Annotated[str, Query(min_length=1, max_length=300,
                                   description="contract version, ID@VERSION",
                                   examples=["sft-instructions@1.0.0"])],
    from_: Annotated[str | None, Query(alias="from", max_length=200,
                                       description="person or vendor id of the deliverer "
                                                   "(default: the caller)")] = None,
    annotators: Annotated[list[str] | None, Query(max_length=100,
                                                  description="annotator ids (repeat)")] = None,
    guide_version: Annotated[str | None, Query(max_length=100)] = None,
    engine: Annotated[str, Query(max_length=50, description="quality engine")] = "local",
    name: Annotated[list[str] | None, Query(max_length=MAX_FILES, description=(
        "the delivered file's name; its suffix picks the format (default: delivery.jsonl for "
        "application/x-ndjson, delivery.parquet for Parquet; from URLs: each URL's last "
        "segment); repeat it, with `size`, for an upload of several files, or once per URL"))
    ] = None,
    size: Annotated[list[Annotated[int, Field(ge=1)]] | None, Query(
        max_length=MAX_FILES, description=(
            "the byte length of each named file, in the order of `name` (needed for several "
            "files: the body is the files one after another)"))] = None,
) -> DeliveryQuery:
    return DeliveryQuery(dataset=dataset, contract=contract, from_=from_, annotators=annotators,
                         guide_version=guide_version, engine=engine, name=name, size=size)


Metadata = Annotated[DeliveryQuery, Depends(delivery_query)]


Url = Annotated[str, Field(min_length=1, max_length=2000,
                           description="an object under the workspace's object store or an "
                                       "allowed prefix (FLYWHEEL_FETCH_ALLOW)")]


class FromUrl(BaseModel):
    """The objects of one delivery: `url` (one) or `urls` (several, in order), not both."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"url": "s3://team-drop/incoming/part-001.jsonl"},
        {"urls": ["s3://team-drop/incoming/part-001.jsonl",
                  "s3://team-drop/incoming/part-002.jsonl"]}]})

    url: Url | None = None
    urls: list[Url] | None = Field(default=None, min_length=1, max_length=MAX_FILES,
                                   description="several objects, one file each, in order")

    @model_validator(mode="after")
    def _one_form(self) -> FromUrl:
        if (self.url is None) == (self.urls is None):
            raise ValueError("name the objects as url (one) or urls (a list), exactly one of them")
        return self

    def named(self) -> list[str]:
        return self.urls if self.urls is not None else [str(self.url)]


def _flow_args(ws: Workspace, requirement: str, meta: DeliveryQuery) -> dict[str, Any]:
    return {"dataset": meta.dataset, "contract_version_id": meta.contract,
            "requirement_id": requirement, "delivered_by": meta.from_ or ws.actor,
            "annotator_ids": meta.annotators, "guide_version": meta.guide_version,
            "engine": meta.engine}


def _upload_parts(request: Request, meta: DeliveryQuery) -> list[tuple[str, int | None]]:
    """(name, size) of each file of the body: one unnamed file takes the whole body."""
    names = distinct_names([staged_name(n) for n in meta.name] if meta.name
                           else [_default_name(request)])
    sizes: list[int | None] = list(meta.size or [])
    if len(names) > 1 or sizes:
        if len(sizes) != len(names):
            raise BadInput(f"{len(names)} file name(s) but {len(sizes)} size(s)", field="size",
                           expected="one ?size= (bytes) per ?name=, in the same order",
                           got=", ".join(map(str, sizes)) or None, kept=NOTHING)
        return list(zip(names, sizes))
    return [(names[0], None)]


def _default_name(request: Request) -> str:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in SUFFIX_OF:
        return "delivery" + SUFFIX_OF[kind]
    raise BadInput("cannot tell the format of the uploaded file", field="name", got=kind or None,
                   expected="?name=FILE.jsonl|.json|.parquet (optionally .gz/.zst), or content "
                            "type application/x-ndjson or application/vnd.apache.parquet",
                   kept=NOTHING)


@router.post("/requirements/{requirement}/deliveries", response_model=DeliveryAnswer,
             status_code=201, openapi_extra=UPLOAD_BODY)
async def upload(requirement: str, request: Request, meta: Metadata,
                 ws: ActingWorkspace) -> DeliveryAnswer:
    """Deliver the request body as the files of a new batch (one, or several one after another
    with `name` and `size` each): stored byte for byte, checked under the contract; the answer
    says passed, awaiting_review or failed (and the issue opened)."""
    parts = _upload_parts(request, meta)
    with staging(ws.settings) as folder:
        paths = [(folder / name, size) for name, size in parts]
        await spool_parts(request, paths, cap=ws.settings.upload_max_bytes,
                          hint="split the delivery into several batches, or raise "
                               "FLYWHEEL_UPLOAD_MAX_BYTES on the server")
        result = await run_in_threadpool(lambda: deliver(
            ws, [p for p, _ in paths], **_flow_args(ws, requirement, meta)))
    return result.answer()


@router.post("/requirements/{requirement}/deliveries/from-url", response_model=DeliveryAnswer,
             status_code=201)
def from_url(requirement: str, body: FromUrl, meta: Metadata,
             ws: ActingWorkspace) -> DeliveryAnswer:
    """Deliver the objects at `url` or `urls` (read by the server through fsspec, only under its
    allow-list) as the files of a new batch, in order; all or nothing (a URL outside the
    allow-list or unreadable, two files of one name: 400, nothing stored); the same answer as an
    upload. `name`, repeated, names each file (default: the URL's last segment)."""
    if meta.size:
        raise BadInput("a delivery from URLs takes no ?size=: the server reads each object whole",
                       field="size", got=", ".join(map(str, meta.size)), kept=NOTHING,
                       expected="?name= per URL (optional), no ?size=")
    return deliver_urls(ws, body.named(), names=meta.name,
                        **_flow_args(ws, requirement, meta)).answer()
