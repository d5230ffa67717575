"""`flywheel serve` and `create_app` refuse to run without tokens; short tokens are refused."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pydantic import ValidationError

if TYPE_CHECKING:
    from dataflywheel.settings import Settings


def test_serve_without_tokens_exits_2_with_the_message(cli: Any, ws: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLYWHEEL_API_TOKENS", raising=False)
    result = cli("serve", "--port", "8765")
    assert result.code == 2
    assert "refusing to serve without API tokens" in result.err
    assert "FLYWHEEL_API_TOKENS" in result.err


def test_serve_with_a_short_token_in_the_environment_exits_2(cli: Any, ws: Any,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWHEEL_API_TOKENS", '["short"]')
    result = cli("serve")
    assert result.code == 2
    assert "shorter than 24 characters" in result.err


def test_serve_without_a_workspace_exits_2_before_binding(capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from clirun import flywheel

    monkeypatch.setenv("FLYWHEEL_API_TOKENS", '["' + "z" * 24 + '"]')
    result = flywheel(capsys, tmp_path, "serve", "--port", "8766")
    assert result.code == 2
    assert "no workspace at" in result.err and "flywheel init" in result.err


def test_settings_read_tokens_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataflywheel.settings import Settings

    token = "x" * 24
    monkeypatch.setenv("FLYWHEEL_API_TOKENS", f'["{token}"]')
    assert Settings().api_tokens == [token]


@pytest.mark.parametrize("tokens", [["x" * 23], ["y" * 30, ""]])
def test_settings_refuse_short_tokens(tokens: list[str]) -> None:
    from dataflywheel.settings import Settings

    with pytest.raises(ValidationError, match="shorter than 24 characters"):
        Settings(api_tokens=tokens)


def test_create_app_refuses_settings_without_tokens(settings: Settings) -> None:
    from dataflywheel.api.app import create_app
    from dataflywheel.errors import BadInput

    with pytest.raises(BadInput, match="needs at least one API token"):
        create_app(settings)
