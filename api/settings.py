"""All configuration in one pydantic-settings class (environment prefix ``CASEOPS_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """CaseOps settings, read from ``CASEOPS_*`` environment variables.

    ``database_url`` is one SQLAlchemy URL: an SQLite file in the working directory by
    default, or ``postgresql+psycopg://user@host:5432/db``.
    """

    model_config = SettingsConfigDict(env_prefix="CASEOPS_", extra="ignore")

    database_url: str = Field("sqlite:///caseops.db", description="SQLAlchemy URL of the store.")
    host: str = Field("127.0.0.1", description="Address `caseops serve` binds.")
    port: int = Field(8000, ge=1, le=65535, description="Port `caseops serve` binds.")
    max_sessions: int = Field(256, ge=1, description="Concurrent WebSocket sessions allowed.")
    lock_timeout_ms: int = Field(5000, ge=1, description="PostgreSQL append lock timeout.")
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest request body (413).")
    cache_episodes: int = Field(4096, ge=0, description="Episodes kept in memory per process.")
    step_executor: Literal["auto", "inline", "thread"] = Field(
        "auto",
        description="Where a served step runs: on the event loop (`inline`), on a worker "
        "thread (`thread`), or `auto`: inline on SQLite, thread on PostgreSQL.",
    )
    ws_per_message_deflate: bool = Field(
        False,
        description="Compress WebSocket messages (RFC 7692). Off: deflating a 3 KB "
        "observation costs more server CPU than it saves on loopback or a LAN "
        "(bench/README.md).",
    )
    gc_freeze: bool = Field(
        True,
        description="Move every object alive when a server starts (the imported "
        "frameworks, about 250,000 objects) out of the cyclic garbage collector's reach "
        "(`gc.freeze`), so its full collections walk only what the server made since "
        "(shorter pauses of the event loop; bench/README.md).",
    )
    admin_token: str | None = Field(
        None,
        description="Seals the server when set: the episode, audit and replay routes need "
        "`Authorization: Bearer <token>`, and nothing answerable without it carries a "
        "case's answers. Unset (local development): everything is open.",
    )
    reward_mode: Literal["dense", "terminal"] | None = Field(
        None,
        description="Fixes every episode's reward mode (`terminal` for evaluation); unset, "
        "each reset chooses (default `dense`).",
    )
    test_salt: str | None = Field(
        None,
        description="Private salt of the test split: test cases derive from it, so the "
        "installed package cannot regenerate their answers. Recorded only as a hash.",
    )
    chain_key: str | None = Field(
        None,
        description="Key of the event hash chain (HMAC-SHA256 over each event, its stream id "
        "and version): an edited or copied stream then fails `caseops audit --verify`.",
    )
    judge_model: str | None = Field(
        None,
        description="A chat model that judges replies and notes (issue 18); unset: the "
        "rule judge alone. Its verdicts are recorded as events (replay never calls it).",
    )
    judge_base_url: str | None = Field(
        None, description="OpenAI-compatible base URL of the judge model."
    )
    judge_api_key: str | None = Field(None, description="API key of the judge model.")
    judge_timeout_s: float = Field(
        10.0, gt=0, description="A judge call slower than this falls back to the rule judge."
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
