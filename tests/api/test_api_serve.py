"""`flywheel serve` refuses a missing workspace before binding; settings for the CLI via a server."""

from __future__ import annotations

import os
from typing import Any

import pytest


def test_serve_without_a_workspace_exits_2_before_binding(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Any) -> None:
    from clirun import flywheel

    result = flywheel(capsys, tmp_path, "serve", "--port", "8766")
    assert result.code == 2
    assert "no workspace at" in result.err and "flywheel init" in result.err


def test_settings_read_the_server_and_a_secret_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataflywheel.settings import Settings

    monkeypatch.setenv("FLYWHEEL_SERVER", "http://127.0.0.1:8000")
    monkeypatch.setenv("FLYWHEEL_TOKEN", "fwt_0123456789ab_secret")
    settings = Settings()
    assert settings.server == "http://127.0.0.1:8000"
    assert settings.token is not None and "secret" not in repr(settings)
    assert settings.token.get_secret_value() == "fwt_0123456789ab_secret"


def test_mlflow_roots_reach_every_worker(capsys: pytest.CaptureFixture[str], tmp_path: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """`--mlflow-root` adds to FLYWHEEL_MLFLOW_ROOTS, and the workers' settings carry both."""
    import json

    import uvicorn

    from clirun import flywheel
    from dataflywheel.api.serving import ENV
    from dataflywheel.settings import Settings

    assert flywheel(capsys, tmp_path, "init").code == 0
    ran: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **_: ran.append(target))  # no socket here
    monkeypatch.setenv(ENV, "")  # restored after the test: serve exports the workers' settings
    monkeypatch.setenv("FLYWHEEL_MLFLOW_ROOTS", json.dumps([str(tmp_path / "env")]))
    served = flywheel(capsys, tmp_path, "serve", "--mlflow-root", str(tmp_path / "a"),
                      "--mlflow-root", str(tmp_path / "b"))
    assert served.code == 0, served.err
    assert ran == ["dataflywheel.web.site:site_from_environment"]
    workers = Settings.model_validate(json.loads(os.environ[ENV])["settings"])
    assert workers.mlflow_roots == [tmp_path / "env", tmp_path / "a", tmp_path / "b"]


def test_a_worker_builds_the_site_from_what_serve_exported(tmp_path: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The factory uvicorn calls in each worker serves the API and the dashboard of the settings
    `serve` exported (`api.serving.export` → `web.site.site_from_environment`)."""
    from dataflywheel.api.policy import served_routes
    from dataflywheel.api.serving import ENV, export
    from dataflywheel.settings import Settings
    from dataflywheel.web.site import site_from_environment

    monkeypatch.setenv(ENV, "")
    export(Settings(home=tmp_path), max_body_bytes=1234, max_concurrency=7)
    app = site_from_environment()
    routes = served_routes(app)
    assert ("GET", "/") in routes and ("GET", "/api/v1/health") in routes
    assert app.state.max_body_bytes == 1234
