"""The fallback policy: a deterministic heuristic that reads only the observation and
tool results (never the gold)."""

from __future__ import annotations

import re
from typing import Any

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _mentions(text: str, term: str) -> int:
    """Where ``term`` (snake_case vocabulary item) is first mentioned in ``text``; -1 if not."""
    low = text.lower()
    for form in (term, term.replace("_", " "), term.replace("_", "-")):
        m = re.search(r"(?<![a-z0-9_])" + re.escape(form) + r"(?![a-z0-9_])", low)
        if m:
            return m.start()
    return -1


def _first_mentioned(text: str, vocab: list[str]) -> str | None:
    found = [(pos, v) for v in vocab if (pos := _mentions(text, v)) >= 0]
    return min(found)[1] if found else None


#: Support macros: what a resolution means for the customer (customer-facing wording).
MACROS: dict[str, str] = {
    "send_replacement": (
        "We are sending you a free replacement right away; there is no need to return the "
        "damaged item."
    ),
    "refund_duplicate_charge": (
        "We confirmed the duplicate charge and have refunded the extra payment to your "
        "original card; it usually appears within 5-10 business days. An updated receipt "
        "is on its way."
    ),
    "issue_refund": "We have issued your refund to the original payment method.",
    "lock_account_and_escalate_fraud": (
        "We have secured your account by locking it, and any open orders are on hold. Our "
        "Trust and Safety team will contact you to verify your identity before anything "
        "else happens."
    ),
    "request_verification": (
        "Our Trust and Safety team is reviewing the sign-in. To continue, please send us "
        "your identity verification, your last successful login and the devices you use."
    ),
    "open_incident": (
        "We have opened an incident and our platform engineering team is working on it. "
        "Please send us failing request IDs and error logs; we will update you with the "
        "next update every 30 minutes."
    ),
}

#: Phrases in a policy that point to a resolution code (first match wins).
CODE_HINTS: list[tuple[str, str]] = [
    ("lock the account", "lock_account_and_escalate_fraud"),
    ("open an incident", "open_incident"),
    ("identity verification", "request_verification"),
    ("replacement", "send_replacement"),
    ("paid twice", "refund_duplicate_charge"),
    ("capture", "refund_duplicate_charge"),
    ("refund", "issue_refund"),
]

#: Everyday wording of some requestable fields.
FIELD_HINTS: dict[str, tuple[str, ...]] = {
    "recent_devices": ("devices",),
    "photo_of_damage": ("photo",),
    "request_ids": ("request ids", "request id"),
}


class FallbackPolicy:
    """A deterministic heuristic support agent (reads only the observation).

    Plan: review the ticket; inspect every artifact; search every knowledge-base topic;
    take the policy that best matches what it has read as the one that applies; then do
    what that policy says: the queue, priority, escalation, fields to request and the
    resolution it points to; record the evidence in a note, reply with the macro for that
    resolution, and settle the case. Evidence already collected (by another policy that
    played earlier steps) is not gathered again.
    """

    def __init__(self) -> None:
        self.plan: list[tuple[str, dict[str, Any]]] = []  # (evidence id, action)
        self.artifacts: list[str] = []
        self.policies: dict[str, str] = {}
        self.ticket = ""
        self.phase = "start"
        self.last: dict[str, Any] = {}

    def act(self, obs: dict[str, Any]) -> dict[str, Any]:
        """The next action for ``obs``."""
        self._learn(obs)
        action = self._next(obs)
        self.last = action
        return action

    def _learn(self, obs: dict[str, Any]) -> None:
        """What has been read so far: from the observation's case file when it has one
        (then steps another policy played count too), else from the last tool result of
        the action this policy chose."""
        entries = obs.get("case_file")
        if entries is not None:
            self.ticket, self.artifacts, self.policies = "", [], {}
            for e in entries:
                kind, _, ref = str(e.get("evidence_id", "")).partition(":")
                title, content = e.get("title", ""), e.get("content", "")
                if kind == "ticket":
                    self.ticket = content
                elif kind == "artifact":  # as inspect_artifact and search_policy show them
                    self.artifacts.append(f"{title}\n{content}")
                elif kind == "policy":
                    self.policies[ref] = f"[{ref}] {title}\n{content}"
            return
        result = obs.get("last_tool_result") or ""
        last = self.last.get("action_type")
        if last == "review_ticket":
            self.ticket = result
        elif last == "inspect_artifact":
            self.artifacts.append(result)
        elif last == "search_policy" and result and not result.startswith("No policy"):
            self.policies[self.last.get("query", "")] = result

    def _next(self, obs: dict[str, Any]) -> dict[str, Any]:
        collected = set(obs.get("collected_evidence", []))
        while self.plan:  # skip what is already in the case file
            evidence, action = self.plan.pop(0)
            if evidence not in collected:
                return action
        if self.phase == "start":
            self.phase = "gather"
            self.plan = [
                (f"artifact:{a}", {"action_type": "inspect_artifact", "artifact_id": a})
                for a in obs.get("available_artifacts", [])
            ] + [
                (f"policy:{t}", {"action_type": "search_policy", "query": t.replace("_", " ")})
                for t in obs.get("policy_topics", [])[:3]
            ]
            if "ticket" not in collected:
                return {"action_type": "review_ticket"}
            return self._next(obs)
        return self._settle(obs)

    def _policy(self) -> str:
        facts = _words(self.ticket + " " + " ".join(self.artifacts))
        best, best_score = "", -1
        for text in self.policies.values():
            score = len(_words(text) & facts)
            if score > best_score:
                best, best_score = text, score
        return best.replace("&", "and")

    def _code(self, policy: str) -> str | None:
        low = policy.lower()
        for phrase, code in CODE_HINTS:
            if phrase in low:
                return code
        return None

    def _settle(self, obs: dict[str, Any]) -> dict[str, Any]:
        vocab = obs.get("vocabularies", {})
        status = obs.get("case", {}).get("status", "new")
        policy = self._policy()
        low = policy.lower()
        esc = re.search(r"escalat\w*\s+(?:it\s+|the case\s+)?to\s+([a-z ]+)", low)
        target = _first_mentioned(esc.group(1), vocab.get("queues", [])) if esc else None
        if self.phase == "gather":
            self.phase = "classify"
            queues = vocab.get("queues", [])
            queue = target or _first_mentioned(policy, queues) or "general_support"
            priority = _first_mentioned(policy, vocab.get("priorities", [])) or "normal"
            issue = self._issue(self.ticket + " " + policy)
            return {
                "action_type": "classify",
                "queue": queue,
                "priority": priority,
                "issue_type": issue,
            }
        if self.phase == "classify":
            self.phase = "escalate"
            if target and status == "triaged":
                return {"action_type": "escalate", "queue": target}
        if self.phase == "escalate":
            self.phase = "request"
            fields = [
                f
                for f in vocab.get("requestable_fields", [])
                if _mentions(policy, f) >= 0 or any(h in low for h in FIELD_HINTS.get(f, ()))
            ]
            if fields and status in ("triaged", "escalated") and re.search(r"\bask\b", low):
                return {"action_type": "request_info", "requested_fields": fields[:10]}
        if self.phase == "request":
            self.phase = "note"
            return {"action_type": "add_internal_note", "note": self._note(policy)}
        code = self._code(policy)
        if self.phase == "note":
            self.phase = "reply"
            return {"action_type": "draft_reply", "message": self._reply(obs, code)}
        self.phase = "done"
        if status == "triaged" and code:
            return {"action_type": "resolve", "resolution_code": code}
        action: dict[str, Any] = {"action_type": "submit"}
        if code:
            action["resolution_code"] = code
        return action

    @staticmethod
    def _issue(text: str) -> str:
        low = text.lower()
        rules = [
            (
                "account_security",
                (
                    "takeover",
                    "unrecognised",
                    "unrecognized",
                    "sign-in",
                    "suspicious login",
                    "hacked",
                ),
            ),
            ("damaged_item", ("damaged", "broken", "cracked")),
            ("billing_error", ("charged twice", "paid twice", "duplicate", "double charge")),
            ("technical_incident", ("outage", "503", "incident", "errors")),
        ]
        for issue, keys in rules:
            if any(k in low for k in keys):
                return issue
        return "general_inquiry"

    def _note(self, policy: str) -> str:
        facts = " | ".join(a.replace("\n", " ")[:200] for a in self.artifacts)
        first = policy.splitlines()[0] if policy else "none found"
        return f"Evidence: {facts}. Policy applied: {first}."[:1150]

    def _reply(self, obs: dict[str, Any], code: str | None) -> str:
        name = (obs.get("ticket", {}).get("customer_name") or "there").split(" ")[0]
        body = MACROS.get(code or "", "We are looking into your request and will follow up.")
        return f"Hi {name}, thank you for reaching out, and we are sorry for the trouble. {body}"
