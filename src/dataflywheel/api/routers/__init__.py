"""The server's routers, one module per pool. Each module has `router` (an `APIRouter`) and
`POLICY` ((method, path) → `api.policy.Rule` for each of its routes); `api/app.py` includes every
module listed here and `api/policy.py` joins their tables."""

from dataflywheel.api.routers import feedback, health, issues, kb, postmortems, tokens

ROUTERS = (health, tokens, feedback, issues, postmortems, kb)
