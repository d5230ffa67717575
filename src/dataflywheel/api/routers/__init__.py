"""The server's routers, one module per pool. Each module has `router` (an `APIRouter`) and
`POLICY` ((method, path) → `api.policy.Rule` for each of its routes); `api/app.py` includes every
module listed here and `api/policy.py` joins their tables."""

from dataflywheel.api.routers import (
    access,
    audit,
    batches,
    contracts,
    datasets,
    deliveries,
    exceptions,
    experiments,
    feedback,
    health,
    lineage,
    people,
    projects,
    raci,
    requirements,
    tokens,
    trace,
    versions,
)

ROUTERS = (
    health,
    tokens,
    feedback,
    deliveries,
    batches,
    lineage,
    experiments,
    people,
    projects,
    raci,
    audit,
    datasets,
    versions,
    trace,
    access,
    exceptions,
    requirements,
    contracts,
)
