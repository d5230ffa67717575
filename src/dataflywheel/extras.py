"""The optional pieces of the package (`pip install 'dataflywheel[EXTRA]'`) and the one message a
command gives when the piece it needs is not installed.

The core install is the control plane and the quality engine; a piece with heavy or
server-side dependencies is an extra (see pyproject.toml), checked where it is first needed —
never at import time, so the core runs without it.
"""

from __future__ import annotations

from importlib.util import find_spec

from dataflywheel.errors import BadInput

EXTRAS: dict[str, tuple[str, ...]] = {
    "server": ("fastapi", "uvicorn"),
    "s3": ("s3fs",),
    "mlflow": ("mlflow",),
    "dvc": ("dvc",),
}
"""Each extra and the modules it installs."""


def missing(extra: str) -> list[str]:
    """The modules of `extra` that cannot be imported here (empty: it is installed)."""
    return [m for m in EXTRAS[extra] if find_spec(m) is None]


def install_hint(extra: str) -> str:
    return f"pip install 'dataflywheel[{extra}]'"


def require(extra: str, *, what: str) -> None:
    """`BadInput` (exit 2) naming the extra `what` needs and how to install it, if it is absent."""
    absent = missing(extra)
    if absent:
        raise BadInput(f"{what} needs the [{extra}] extra", expected=install_hint(extra),
                       got="not installed: " + ", ".join(absent))
