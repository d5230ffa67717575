"""The background server (demo, tests) leaves the process's logging as it found it.

Why: uvicorn's default `log_config` runs `logging.config.dictConfig`, which closes every handler
of the process and gives uvicorn's loggers new ones bound to the `sys.stderr`/`sys.stdout` of that
moment. Started inside a test that captures output (the demo test), those are the test's capture
streams, closed when it ends: every later line uvicorn logs in that process then writes to a closed
file (under pytest-xdist, a worker that ran the demo went on to fail with "I/O operation on closed
file").
"""

from __future__ import annotations

import io
import logging
import sys

import pytest


def test_a_background_server_binds_no_handler_to_the_streams_of_its_start(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi import FastAPI

    from dataflywheel.api.background import running

    kept = logging.StreamHandler(io.StringIO())  # a handler of someone else's
    logging.getLogger("flywheel.test").addHandler(kept)
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    try:
        with running(FastAPI()) as server:
            assert server.url.startswith("http://127.0.0.1:")
        bound = [handler for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "")
                 for handler in logging.getLogger(name).handlers
                 if getattr(handler, "stream", None) in (out, err)]
        assert bound == []
        assert not kept._closed  # type: ignore[attr-defined]  # dictConfig closes every handler
    finally:
        logging.getLogger("flywheel.test").removeHandler(kept)
