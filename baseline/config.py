"""The baseline's settings (environment variables: :mod:`caseops.baseline`) and its log."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Defaults of the model settings (environment variables in the module docstring).
DEFAULT_API_BASE_URL = "https://router.huggingface.co/v1"
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_RETRIES = 3
DEFAULT_MAX_CALLS = 400
DEFAULT_HISTORY_CHARS = 24_000
#: Completion tokens asked per call (an action is well under 300 tokens; a reply
#: with reasoning before it needs room).
MAX_COMPLETION_TOKENS = 600
#: Consecutive failed calls (after the client's retries) before the model sits out the
#: rest of the task.
FAILURES_BEFORE_FALLBACK = 2


def log(msg: str) -> None:
    """Diagnostics to stderr (stdout is reserved for the protocol lines)."""
    print(msg, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class ModelConfig:
    """How to reach the model and how hard to try (module docstring: the variables).

    ``timeout_s`` is per HTTP request, in seconds; ``max_retries`` the retries of one
    call; ``max_calls`` the chat completions of the whole run; ``history_chars`` the
    conversation's budget in characters of message content.
    """

    base_url: str
    model: str
    api_key: str
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_retries: int = DEFAULT_RETRIES
    max_calls: int = DEFAULT_MAX_CALLS
    history_chars: int = DEFAULT_HISTORY_CHARS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ModelConfig | None:
        """The settings in ``environ`` (default ``os.environ``); ``None`` when no model or
        no key is set (the fallback plays).

        Raises:
            ValueError: naming the variable whose value is not a number in its range.
        """
        env = os.environ if environ is None else environ
        model = env.get("MODEL_NAME", "")
        key = env.get("HF_TOKEN") or env.get("OPENAI_API_KEY") or ""
        if not (model and key):
            return None
        return cls(
            base_url=env.get("API_BASE_URL") or DEFAULT_API_BASE_URL,
            model=model,
            api_key=key,
            timeout_s=_number(env, "CASEOPS_MODEL_TIMEOUT", DEFAULT_TIMEOUT_S, float, 0.001),
            max_retries=_number(env, "CASEOPS_MODEL_RETRIES", DEFAULT_RETRIES, int, 0),
            max_calls=_number(env, "CASEOPS_MAX_MODEL_CALLS", DEFAULT_MAX_CALLS, int, 0),
            history_chars=_number(env, "CASEOPS_HISTORY_CHARS", DEFAULT_HISTORY_CHARS, int, 1),
        )


def _number(env: Mapping[str, str], name: str, default: Any, kind: Any, least: float) -> Any:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if not value >= least:
        raise ValueError(f"{name} must be at least {least}, got {raw!r}")
    return value
