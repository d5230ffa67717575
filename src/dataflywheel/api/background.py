"""The team server in a background thread on a loopback port: for the demo and the test suite.

`flywheel serve` runs uvicorn in the foreground; a program that wants to show or test the server
from the same process (the demo acts as three people over HTTP; the tests share one server per
run) starts it here, waits until it accepts connections, and stops it on exit.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

STARTUP_S = 20.0


class BackgroundServer:
    """uvicorn serving `app` on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.app = app
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        # log_config=None: uvicorn's default would `dictConfig` the whole process — closing every
        # handler in it and binding its own to the sys.stdout/sys.stderr of this moment, which in
        # a test that captures output are streams closed when the test ends. Its loggers
        # propagate to whatever logging the host program set up instead.
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                log_config=None, lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="flywheel-server",
                                       daemon=True)

    def start(self) -> BackgroundServer:
        self.thread.start()
        deadline = time.monotonic() + STARTUP_S
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"the server at {self.url} did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@contextmanager
def running(app: Any) -> Iterator[BackgroundServer]:
    """`app` served on loopback for the length of the block."""
    server = BackgroundServer(app).start()
    try:
        yield server
    finally:
        server.stop()
