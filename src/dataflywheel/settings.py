"""One `Settings`, built at the edge (CLI, server, tests) and passed down; never at import time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WORKSPACE_DIR = ".flywheel"


class Settings(BaseSettings):
    """Where the workspace lives and which database and object store it uses.

    Every field can be set as `FLYWHEEL_<NAME>` in the environment or by a CLI option.
    """

    model_config = SettingsConfigDict(env_prefix="FLYWHEEL_", extra="ignore")

    home: Path = Field(default=Path("."), description="directory that holds the .flywheel workspace")
    db: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite:///<home>/.flywheel/flywheel.db",
    )
    objects: str | None = Field(
        default=None,
        description="blob store root (path or fsspec URL); default <home>/.flywheel/objects",
    )
    login: str | None = Field(
        default=None,
        description="the login to act as instead of the OS login (tests, CI); like the OS login it "
        "acts only as the person it is bound to (flywheel people bind)",
    )
    audit_key: Path | None = Field(
        default=None,
        description="Ed25519 private key that signs audit heads; default ~/.config/flywheel/audit.key",
    )
    timezone: str = Field(default="UTC", description="time zone of the business-day calendar")
    holidays: list[date] = Field(default_factory=list, description="non-business days, ISO dates")
    debug: bool = Field(default=False, description="show tracebacks")
    server: str | None = Field(
        default=None,
        description="URL of the team server the CLI acts through (FLYWHEEL_SERVER): commands that "
                    "change state are sent there, so the database can stay private to the server",
    )
    token: SecretStr | None = Field(
        default=None, description="personal API token for FLYWHEEL_SERVER (flywheel tokens create)",
    )
    upload_max_bytes: int = Field(
        default=1024 ** 3, ge=1,
        description="the largest delivery the server takes in one request body or reads from "
                    "its URLs, in all (FLYWHEEL_UPLOAD_MAX_BYTES); a larger one is refused (413 "
                    "for a body, 400 for URLs), nothing stored",
    )
    fetch_allow: list[str] = Field(
        default_factory=list,
        description="URL prefixes (s3://bucket/incoming/, file:///srv/drop/) the server may read a "
                    "delivery from for a caller (FLYWHEEL_FETCH_ALLOW, a JSON list); the "
                    "workspace's own object store is always allowed, nothing else by default",
    )

    mlflow_roots: list[Path] = Field(
        default_factory=list,
        description="the server: folders under which a caller may name a local MLflow store for "
                    "it to open (import-mlflow, export-mlflow over HTTP; FLYWHEEL_MLFLOW_ROOTS, a "
                    "JSON list, or flywheel serve --mlflow-root); none by default, so over HTTP "
                    "only http(s) tracking servers and uploaded stores are used",
    )

    @field_validator("db")
    @classmethod
    def _known_backend(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value.startswith(("sqlite://", "postgresql")):
            raise ValueError("db must be a sqlite:// or postgresql+psycopg:// URL")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @property
    def workspace(self) -> Path:
        return self.home / WORKSPACE_DIR

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{(self.workspace / 'flywheel.db').resolve()}"

    @property
    def objects_root(self) -> str:
        return self.objects or str((self.workspace / "objects").resolve())

    @property
    def audit_key_path(self) -> Path:
        return self.audit_key or Path.home() / ".config" / "flywheel" / "audit.key"
