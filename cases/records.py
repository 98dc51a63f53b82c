"""Artifacts and articles of a case, written to look like the records they stand for.

* :func:`record`, :func:`log`, :func:`crm_notes` and :func:`status_page` render artifacts
  (key/value records, timestamped log lines, CRM notes by named agents, a status page),
  with irrelevant entries around the relevant one (the family passes the relevant
  entries; the noise comes from here).
* :func:`policy_text` renders a knowledge-base article with numbered clauses, exceptions,
  an effective date and a version line; :func:`article` makes one a
  :class:`~caseops.domain.scenario.Policy` with a seeded effective date and version.

Everything draws from the case's seeded :class:`~caseops.cases.kit.Kit`; nothing reads a
clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from caseops.domain.scenario import Policy

from .kit import REFERENCE_DAY, Kit

# ---------------------------------------------------------------------------------------
# Records and logs
# ---------------------------------------------------------------------------------------


def stamp(kit: Kit, days_ago: int, clock: str | None = None) -> str:
    """An ISO timestamp ``days_ago`` days before the reference day (UTC)."""
    c = clock or kit.clock()
    return f"{kit.day(days_ago)}T{c}:{kit.rng.randrange(0, 60):02d}Z"


def record(
    kit: Kit, fields: Sequence[tuple[str, str]], noise: Sequence[tuple[str, str]] = ()
) -> str:
    """A key/value record: the ``fields`` in their order, with a seeded subset of
    ``noise`` fields mixed in, in one of three layouts (``Key: value`` lines, ``key=value``
    pairs, or a pipe-separated row per field)."""
    rows = list(fields)
    extra = [f for f in noise if kit.chance(0.6)]
    for f in extra:
        rows.insert(kit.rng.randrange(0, len(rows) + 1), f)
    layout = kit.rng.randrange(3)
    if layout == 0:
        return "\n".join(f"{k}: {v}" for k, v in rows)
    if layout == 1:
        return "\n".join(f"{k.lower().replace(' ', '_')}={v}" for k, v in rows)
    return "\n".join(f"| {k} | {v} |" for k, v in rows)


#: Irrelevant log entries a system emits all the time.
LOG_NOISE: tuple[str, ...] = (
    "healthcheck ok latency_ms={n}",
    "cache warm-up finished entries={n}",
    "session refreshed client=web",
    "notification email queued template=newsletter",
    "rate limiter window reset",
    "config reload ok rev={n}",
    "metrics flush ok points={n}",
    "webhook delivered status=200 attempt=1",
    "background job reindex done items={n}",
    "user viewed page=/help/faq",
    "cdn purge completed objects={n}",
    "login page rendered locale=en",
)


def log(
    kit: Kit,
    entries: Sequence[tuple[int, str]],
    noise: Sequence[str] = LOG_NOISE,
    n_noise: tuple[int, int] = (2, 6),
) -> str:
    """Timestamped log lines: ``entries`` are ``(minutes before the reference day's end,
    text)``; seeded noise lines from ``noise`` are mixed in (within and before the span of
    the entries); sorted by time, oldest first."""
    lines: list[tuple[int, str]] = [(m, t) for m, t in entries]
    lo = min((m for m, _ in entries), default=0)
    hi = max((m for m, _ in entries), default=0) + kit.rng.randrange(60, 600)
    for _ in range(kit.rng.randint(*n_noise)):
        lines.append((kit.rng.randrange(lo, hi + 1), kit.pick(noise)))
    lines.sort(key=lambda x: -x[0])  # most minutes ago first
    out = []
    for minutes, text in lines:
        t = _minus_minutes(minutes)
        out.append(f"{t} {text.replace('{n}', str(kit.rng.randrange(2, 900)))}")
    return "\n".join(out)


def _minus_minutes(minutes: int) -> str:
    day = minutes // 1440
    rest = 1440 - (minutes % 1440) - 1
    d = REFERENCE_DAY.toordinal() - day
    return f"{date.fromordinal(d).isoformat()}T{rest // 60:02d}:{rest % 60:02d}Z"


AGENTS = ("Sam K.", "Lee P.", "Jordan M.", "Alex R.", "Robin T.", "Casey D.", "Morgan B.")
CRM_NOISE: tuple[str, ...] = (
    "Customer asked about the loyalty programme; sent the FAQ link.",
    "Marketing preferences updated at the customer's request.",
    "Called back, no answer; left a voicemail.",
    "Password reset email resent at the customer's request.",
    "Customer asked for the newsletter to stop; unsubscribed.",
    "Address book entry tidied (duplicate removed).",
    "Customer praised the delivery driver.",
    "Asked about gift cards; explained they do not expire.",
)


def crm_notes(kit: Kit, notes: Sequence[tuple[int, str]], n_noise: tuple[int, int] = (1, 3)) -> str:
    """CRM notes, newest first: ``notes`` are ``(days ago, text)`` by seeded agents, with
    irrelevant notes mixed in (older than the newest relevant one or not)."""
    rows = list(notes)
    for _ in range(kit.rng.randint(*n_noise)):
        rows.append((kit.rng.randrange(1, 400), kit.pick(CRM_NOISE)))
    rows.sort(key=lambda r: r[0])
    return "\n".join(f"[{stamp(kit, d)}] {kit.pick(AGENTS)}: {text}" for d, text in rows)


STATUS_COMPONENTS = (
    "Web app",
    "Mobile app",
    "REST API",
    "Webhooks",
    "Single sign-on",
    "Billing",
    "Search",
    "File uploads",
    "Notifications",
    "Reporting",
)


def status_page(kit: Kit, entries: Sequence[tuple[str, str]]) -> str:
    """A status page: ``entries`` are ``(component, status text)`` that matter; the other
    components read "Operational"."""
    named = {c for c, _ in entries}
    rows = list(entries)
    for c in kit.rng.sample(STATUS_COMPONENTS, kit.rng.randint(3, 6)):
        if c not in named:
            rows.append((c, "Operational"))
    kit.rng.shuffle(rows)
    return "\n".join(f"{c}: {s}" for c, s in rows)


# ---------------------------------------------------------------------------------------
# Policies
# ---------------------------------------------------------------------------------------


def policy_text(
    kit: Kit,
    clauses: Sequence[str],
    *,
    effective: str,
    version: str = "",
    exceptions: Sequence[str] = (),
    superseded: str = "",
    preamble: str = "",
) -> str:
    """A knowledge-base article: an optional preamble, numbered clauses (``1.``, ``2.``...),
    the exceptions, and a version line with the ``effective`` date (and, when given, the
    note that it ``superseded`` an older version or is itself superseded)."""
    lines = [preamble] if preamble else []
    n = 0
    for c in clauses:
        n += 1
        lines.append(f"{n}. {c}")
    for e in exceptions:
        n += 1
        lines.append(f"{n}. Exception: {e}")
    tail = f"Effective {effective}."
    if version:
        tail = f"Version {version}. {tail}"
    if superseded:
        tail += f" {superseded}"
    lines.append(tail)
    return "\n".join(lines)


def article(
    kit: Kit,
    title: str,
    clauses: Sequence[str],
    *,
    age: tuple[int, int],
    versions: tuple[int, int],
    keywords: tuple[str, ...],
) -> Policy:
    """A knowledge-base article of ``clauses``, in force since a seeded day ``age`` days
    ago (``randrange(*age)``) at a seeded version (``randrange(*versions)``)."""
    effective = kit.day(kit.rng.randrange(*age))
    version = str(kit.rng.randrange(*versions))
    return Policy(
        title=title,
        content=policy_text(kit, clauses, effective=effective, version=version),
        keywords=keywords,
    )
