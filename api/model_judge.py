"""The optional language-model judge of replies and notes (issue 18).

With ``CASEOPS_JUDGE_MODEL`` set (and ``CASEOPS_JUDGE_BASE_URL`` / ``CASEOPS_JUDGE_API_KEY``
for an OpenAI-compatible endpoint), the service asks the model, before a reply or note
step is applied, which of the case's points the text makes and which forbidden claims it
asserts. The answer becomes a :class:`~caseops.domain.events.JudgeVerdict` event appended
right after the step event, so grading and replay read it and never call a model. A
failed, slow or malformed answer falls back to the rule judge, and the event says why.

The prompt is fixed (:data:`PROMPT`); its sha256 (:data:`PROMPT_SHA256`) is recorded in
every verdict, so a verdict can be traced to the exact instructions that produced it.
"""

from __future__ import annotations

import json
from typing import Any

from caseops.canonical import sha256_hex
from caseops.domain.claims import Claim, Point
from caseops.domain.events import JudgeVerdict
from caseops.domain.judge import judge_text
from caseops.domain.lexicon import CONCEPTS

PROMPT = """You judge a customer-support {target} against a checklist, as a careful support
lead would. Read what the text SAYS, not which words it contains: a statement that is
negated ("we cannot refund"), contrasted ("rather than a refund") or only conditional
("if the review clears, we may refund") does not assert it.

POINTS the text must make (made = true only when the text clearly states it, with any
listed facts):
{points}

FORBIDDEN CLAIMS (asserted = true only when the text clearly asserts it):
{claims}

TEXT:
<<<
{text}
>>>

Answer with one JSON object and nothing else:
{{"points": {{"<point name>": true|false, ...}}, "claims": {{"<claim name>": true|false, ...}}}}
Use exactly the names listed above."""

#: sha256 of the prompt template (recorded in every model verdict).
PROMPT_SHA256 = sha256_hex(PROMPT)


def _describe(st: Point | Claim) -> str:
    parts = [f"- {st.name}:"]
    if st.concept is not None:
        example = CONCEPTS[st.concept][0].replace("|", "/").replace("~", "...")
        parts.append(f"{'NOT ' if st.negated else ''}{st.concept.replace('_', ' ')} ({example})")
    if st.phrases:
        parts.append("says " + " / ".join(repr(p) for p in st.phrases))
    if st.facts:
        parts.append(("mentions one of " if st.any_fact else "mentions ") + ", ".join(st.facts))
    return " ".join(parts)


def build_prompt(
    target: str, text: str, points: tuple[Point, ...], claims: tuple[Claim, ...]
) -> str:
    """The filled prompt for one text."""
    return PROMPT.format(
        target=target,
        points="\n".join(_describe(p) for p in points) or "(none)",
        claims="\n".join(_describe(c) for c in claims) or "(none)",
        text=text,
    )


def parse_answer(
    answer: str, points: tuple[Point, ...], claims: tuple[Claim, ...]
) -> tuple[dict[str, bool], dict[str, bool]]:
    """The model's strict JSON answer as ``(points made, claims asserted)``.

    Raises:
        ValueError: not one JSON object with exactly the expected names and booleans.
    """
    data = json.loads(answer)
    if not isinstance(data, dict) or set(data) != {"points", "claims"}:
        raise ValueError("the answer is not {points, claims}")
    out = []
    for key, want in (("points", points), ("claims", claims)):
        got = data[key]
        names = {s.name for s in want}
        if not isinstance(got, dict) or set(got) != names:
            raise ValueError(f"{key}: expected exactly {sorted(names)}")
        if not all(isinstance(v, bool) for v in got.values()):
            raise ValueError(f"{key}: every value must be true or false")
        out.append(got)
    return out[0], out[1]


class ModelJudge:
    """Judges a text with an OpenAI-compatible chat model, falling back to the rule judge.

    ``timeout_s``: a call slower than this is abandoned (no retries).
    """

    def __init__(
        self, model: str, base_url: str | None, api_key: str | None, timeout_s: float = 10.0
    ) -> None:
        from openai import OpenAI

        self.model = model
        self.client = OpenAI(
            base_url=base_url, api_key=api_key or "unused", timeout=timeout_s, max_retries=0
        )

    @property
    def judge_id(self) -> str:
        """``model:<name>``."""
        return f"model:{self.model}"

    def _ask(self, prompt: str) -> str:
        r = self.client.chat.completions.create(
            model=self.model,
            temperature=0,
            messages=[{"role": "user", "content": prompt}],
            response_format={"type": "json_object"},
        )
        return r.choices[0].message.content or ""

    def verdict(
        self, target: str, text: str, points: tuple[Point, ...], claims: tuple[Claim, ...]
    ) -> JudgeVerdict:
        """The verdict event for ``text`` (``step`` is set when it is appended)."""
        try:
            made, asserted = parse_answer(
                self._ask(build_prompt(target, text, points, claims)), points, claims
            )
        except Exception as e:  # any failure (network, timeout, bad JSON): rule judge
            v = judge_text(text, points, claims)
            return _verdict_event(
                target,
                text,
                v.judge,
                [f.to_json() for f in v.points],
                [f.to_json() for f in v.claims],
                fallback=f"{self.judge_id} failed ({type(e).__name__}: {str(e)[:200]}); "
                "rule judge answered",
            )
        return _verdict_event(
            target, text, self.judge_id, _rows(points, made), _rows(claims, asserted)
        )


def _rows(
    statements: tuple[Point, ...] | tuple[Claim, ...], found: dict[str, bool]
) -> list[dict[str, Any]]:
    """The model's findings as verdict rows: ``{"name", "ok", "status"}`` per statement,
    ``status`` ``asserted`` when ``found[name]`` is true, else ``absent``."""
    return [
        {"name": s.name, "ok": found[s.name], "status": "asserted" if found[s.name] else "absent"}
        for s in statements
    ]


def _verdict_event(
    target: str,
    text: str,
    judge: str,
    points: list[dict[str, Any]],
    claims: list[dict[str, Any]],
    fallback: str = "",
) -> JudgeVerdict:
    """The :class:`JudgeVerdict` event of one judged text (``step`` 0: set on append);
    ``fallback`` says why the rule judge answered instead of the model (empty: it did not)."""
    return JudgeVerdict(
        step=0,
        target=target,
        text_sha256=sha256_hex(text),
        judge=judge,
        prompt_sha256=PROMPT_SHA256,
        fallback=fallback,
        points=points,
        claims=claims,
    )


def from_settings(settings: Any) -> ModelJudge | None:
    """The configured model judge, or ``None`` when ``CASEOPS_JUDGE_MODEL`` is unset."""
    if not settings.judge_model:
        return None
    return ModelJudge(
        settings.judge_model,
        settings.judge_base_url,
        settings.judge_api_key,
        settings.judge_timeout_s,
    )
