"""`flywheel serve` refuses a missing workspace before binding; settings for the CLI via a server."""

from __future__ import annotations

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
