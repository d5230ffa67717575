"""A real browser for the dashboard: Playwright driving Debian's chromium, one per test run.

`browser` is Chromium headless (`--no-sandbox`: the CI container runs as root); it skips with the
reason when Playwright or a chromium executable is missing (`.ci/run` installs the `chromium`
package; elsewhere `apt-get install -y chromium`, or set FLYWHEEL_CHROMIUM to an executable).
`live_site` serves a private copy of the demo workspace on a loopback port (uvicorn in a
thread), so the browser tests may act on it without touching the copy other tests read.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from web_helpers import LiveSite


def chromium_path() -> str | None:
    for candidate in (os.environ.get("FLYWHEEL_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: pip install -e '.[test]'")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no chromium executable: apt-get install -y chromium "
                    "(or set FLYWHEEL_CHROMIUM)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable,
                                      args=["--headless", "--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_site(demo_site: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    from dataflywheel.api.background import running
    from dataflywheel.settings import Settings
    from dataflywheel.web.site import create_site

    home = tmp_path_factory.mktemp("live-site") / "home"
    shutil.copytree(demo_site.home, home)
    settings = Settings(home=home, audit_key=home / "audit.key")
    with running(create_site(settings)) as server:
        yield LiveSite(url=server.url, token=demo_site.token)
