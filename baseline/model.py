"""The model: an OpenAI-compatible chat endpoint, the parsing of its action, and the
policy that calls it (the fallback plays where it cannot)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .config import FAILURES_BEFORE_FALLBACK, MAX_COMPLETION_TOKENS, ModelConfig, log
from .prompts import (
    ECHOED_REPLY_CHARS,
    PARSE_RETRY_PROMPT,
    Conversation,
    cut,
    one_line,
    render_task,
)


@dataclass(frozen=True)
class Reply:
    """One chat completion: its text and, when the server reported usage, its tokens."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class ChatClient(Protocol):
    """What the model policy needs of a chat endpoint."""

    http_requests: int

    def complete(self, messages: list[dict[str, str]]) -> Reply: ...

    def close(self) -> None: ...


class OpenAIChat:
    """A chat endpoint through the ``openai`` client (its timeout and retries: module
    docstring). ``http_requests`` counts the HTTP requests sent, retries included."""

    def __init__(self, config: ModelConfig) -> None:
        from openai import DefaultHttpxClient, OpenAI

        self.config = config
        self.http_requests = 0
        self._http = DefaultHttpxClient(event_hooks={"request": [self._count]})
        self._client = OpenAI(
            base_url=config.base_url,
            api_key=config.api_key,
            timeout=config.timeout_s,
            max_retries=config.max_retries,
            http_client=self._http,
        )

    def _count(self, request: Any) -> None:
        self.http_requests += 1

    def complete(self, messages: list[dict[str, str]]) -> Reply:
        """One chat completion (temperature 0).

        Raises:
            openai.APIError: when the call fails after the retries (a timeout, a refused
                connection, an error status).
        """
        resp = self._client.chat.completions.create(
            model=self.config.model,
            messages=messages,  # type: ignore[arg-type]
            temperature=0.0,
            max_tokens=MAX_COMPLETION_TOKENS,
        )
        text = (resp.choices[0].message.content or "") if resp.choices else ""
        usage = resp.usage
        return Reply(
            text,
            usage.prompt_tokens if usage else None,
            usage.completion_tokens if usage else None,
        )

    def close(self) -> None:
        self._client.close()


def make_llm(environ: Mapping[str, str] | None = None) -> OpenAIChat | None:
    """A chat client from the environment, or ``None`` when no model or key is set."""
    config = ModelConfig.from_env(environ)
    return None if config is None else OpenAIChat(config)


def parse_action(text: str) -> dict[str, Any]:
    """The first JSON object with an ``action_type`` in a model reply (prose, code fences
    and trailing text around it are ignored).

    Raises:
        ValueError: when no such JSON object is found.
    """
    decoder = json.JSONDecoder()
    start = text.find("{")
    while start != -1:
        try:
            data, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and "action_type" in data:
            return data
        start = text.find("{", start + 1)
    raise ValueError("no JSON object with an action_type in the reply")


@dataclass
class TaskStats:
    """What one task cost and how often the model's turn went to the fallback."""

    task_id: str
    model_calls: int = 0
    http_requests: int = 0
    call_failures: int = 0
    parse_failures: int = 0
    invalid_actions: int = 0
    fallback_steps: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def add_usage(self, reply: Reply) -> None:
        if reply.prompt_tokens is not None:
            self.prompt_tokens = (self.prompt_tokens or 0) + reply.prompt_tokens
        if reply.completion_tokens is not None:
            self.completion_tokens = (self.completion_tokens or 0) + reply.completion_tokens

    def merge(self, other: TaskStats) -> None:
        """Add ``other``'s counts to these (the run's total)."""
        for name in (
            "model_calls",
            "http_requests",
            "call_failures",
            "parse_failures",
            "invalid_actions",
            "fallback_steps",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.add_usage(Reply("", other.prompt_tokens, other.completion_tokens))

    def line(self, label: str) -> str:
        """``[stats] <label> key=value ...`` (``n/a``: no usage was reported)."""

        def tok(v: int | None) -> str:
            return "n/a" if v is None else str(v)

        return (
            f"[stats] {label} model_calls={self.model_calls} "
            f"http_requests={self.http_requests} call_failures={self.call_failures} "
            f"parse_failures={self.parse_failures} invalid_actions={self.invalid_actions} "
            f"fallback_steps={self.fallback_steps} prompt_tokens={tok(self.prompt_tokens)} "
            f"completion_tokens={tok(self.completion_tokens)}"
        )


class ModelPolicy:
    """The language-model policy: keeps the conversation, calls the model, parses its
    action; ``None`` from :meth:`propose` means the fallback plays the step.

    One instance per run: ``max_calls`` bounds the calls of the whole run.
    """

    def __init__(self, chat: ChatClient, max_calls: int, history_chars: int) -> None:
        self.chat = chat
        self.max_calls = max_calls
        self.history_chars = history_chars
        self.calls = 0
        self.capped = False
        self.conversation: Conversation | None = None
        self.failures_in_a_row = 0
        self.sitting_out = False

    def begin(self, first_obs: Mapping[str, Any]) -> None:
        """Start a task's conversation from its first observation."""
        self.conversation = Conversation(render_task(first_obs), first_obs, self.history_chars)
        self.failures_in_a_row = 0
        self.sitting_out = False

    def record(self, action: dict[str, Any], obs: Mapping[str, Any], note: str | None) -> None:
        """Add the action played and the observation after it to the conversation."""
        if self.conversation is not None:
            self.conversation.add(action, obs, note)

    def _call(self, messages: list[dict[str, str]], stats: TaskStats) -> Reply | None:
        if self.sitting_out:
            return None
        if self.calls >= self.max_calls:
            if not self.capped:
                self.capped = True
                log(f"model call cap reached ({self.max_calls} per run); the fallback plays on")
            return None
        self.calls += 1
        stats.model_calls += 1
        before = self.chat.http_requests
        try:
            reply = self.chat.complete(messages)
        except Exception as e:  # a timeout, a refused connection, an error status
            stats.call_failures += 1
            self.failures_in_a_row += 1
            log(f"model call failed ({type(e).__name__}: {cut(one_line(str(e)), 300)})")
            if self.failures_in_a_row >= FAILURES_BEFORE_FALLBACK:
                self.sitting_out = True
                log(f"{self.failures_in_a_row} failed calls in a row: the fallback plays the task")
            return None
        finally:
            stats.http_requests += self.chat.http_requests - before
        self.failures_in_a_row = 0
        stats.add_usage(reply)
        return reply

    def propose(self, stats: TaskStats) -> tuple[dict[str, Any] | None, str | None]:
        """The model's action for the current turn, or ``(None, why)``."""
        if self.conversation is None:
            return None, "no conversation"
        messages = self.conversation.request()
        reply = self._call(messages, stats)
        if reply is None:
            return None, "the model could not be called"
        try:
            return parse_action(reply.text), None
        except ValueError as e:
            stats.parse_failures += 1
            error = str(e)
        retry = [
            *messages,
            {"role": "assistant", "content": cut(reply.text, ECHOED_REPLY_CHARS) or "(empty)"},
            {"role": "user", "content": PARSE_RETRY_PROMPT.format(error=error)},
        ]
        reply = self._call(retry, stats)
        if reply is None:
            return None, f"the reply could not be parsed ({error})"
        try:
            return parse_action(reply.text), None
        except ValueError as e:
            stats.parse_failures += 1
            return None, f"the reply could not be parsed twice ({e})"
