"""The configuration uvicorn's worker processes build the app from: `flywheel serve --workers N` cannot hand an app
object to N processes, so it hands them this factory and the settings in the environment.

`FLYWHEEL_SERVE` carries the server's whole configuration as one JSON object (the workspace
`Settings` the CLI resolved — home, database, object store, audit key, calendar — plus the body cap
and the concurrency bound), so every worker serves exactly what the command line named and
nothing is re-read from a half-set environment. The token and server URL (client settings) are
left out.
"""

from __future__ import annotations

import json
import os
from typing import Any

from dataflywheel.settings import Settings

ENV = "FLYWHEEL_SERVE"


def export(settings: Settings, *, max_body_bytes: int, max_concurrency: int) -> None:
    """Put the configuration where `web.site.site_from_environment` (in each worker) finds it."""
    data = settings.model_dump(mode="json", exclude={"server", "token"})
    os.environ[ENV] = json.dumps({"settings": data, "max_body_bytes": max_body_bytes,
                                  "max_concurrency": max_concurrency})


def from_environment() -> tuple[Settings, dict[str, Any]]:
    """The settings and the app's keywords `export` left (the site's factory,
    `web.site.site_from_environment`, builds each worker's app from them)."""
    config: dict[str, Any] = json.loads(os.environ[ENV])
    return (Settings.model_validate(config["settings"]),
            {"max_body_bytes": config["max_body_bytes"],
             "max_concurrency": config["max_concurrency"]})
