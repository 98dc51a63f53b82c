"""The text-composition layer of the generator: customer messages.

Everything here draws from a case's seeded :class:`~caseops.cases.kit.Kit`
(``kit.rng``, a ``random.Random`` seeded by sha256 in :mod:`caseops.cases.generator`);
nothing reads a clock or an unseeded source, so the same kit state gives the same text.

* :func:`message` writes a customer message from parts (greeting, who they are, context,
  the facts the family supplies, asides, the request, a closing and a sign-off) in one of
  several registers (formal, casual, terse, upset, rambling), with a seeded share of
  typos, run-on sentences and non-native phrasing, and, in some messages, the request
  buried under the context.

Records, logs and knowledge-base articles are written by :mod:`caseops.cases.records`.

Why (issue 19 of the project notes, "cases that take reading and reasoning"): templated
text let a rule agent read the answer off one sentence; the measure of the variety these
produce is :mod:`caseops.statemachine.casestats`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .kit import Kit

# ---------------------------------------------------------------------------------------
# Pools shared by every family
# ---------------------------------------------------------------------------------------

GREETINGS: dict[str, tuple[str, ...]] = {
    "formal": (
        "Dear support team,",
        "Good morning,",
        "Good afternoon,",
        "Dear Sir or Madam,",
        "Hello,",
        "To whom it may concern,",
        "Dear customer care,",
    ),
    "casual": ("Hi,", "Hey there,", "Hi team!", "Hello!", "Hiya,", "Hey,", "hi", "Hi folks,"),
    "terse": ("", "", "", "Hi.", "Support -"),
    "upset": ("Hello,", "Hi.", "", "Right,", "Hello again,", "OK so,"),
    "rambling": ("Hi there, hope you're well!", "Hello, hope your week is going ok,", "Hi!!"),
}
CLOSINGS: dict[str, tuple[str, ...]] = {
    "formal": (
        "Kind regards,",
        "Best regards,",
        "Thank you in advance for your help.",
        "I look forward to your reply.",
        "Sincerely,",
        "With thanks,",
    ),
    "casual": ("Thanks!", "Cheers,", "Thanks a lot", "thx", "Ta,", "Much appreciated!"),
    "terse": ("", "", "Thanks.", "Asap please."),
    "upset": (
        "I expect an answer today.",
        "Please fix this.",
        "Not impressed.",
        "Waiting for your reply.",
        "Sort it out please.",
    ),
    "rambling": (
        "Anyway, thanks so much for reading all this!",
        "Sorry for the long message, thanks!!",
        "Thanks again, you guys are usually great.",
    ),
}
INTROS: tuple[str, ...] = (
    "I've been [a customer|with you|using your service] for [{years} years|a long time|ages].",
    "I'm writing on behalf of {company}[| as their admin| for our finance team].",
    "My name is {name} and I [have an account with you|am a customer|use your service].",
    "I'm the [account owner|main account holder|admin on our account].",
    "[Writing|Emailing] from my [work|personal|old] [email|address], sorry.",
    "I already tried the [chat|phone line|help centre] but it [timed out|went nowhere|"
    "didn't help].",
    "This is my {nth} [message|email|attempt] about this.",
    "I've [read|gone through|checked] the help pages already.",
    "A [colleague|friend|neighbour] suggested I [email|write to] you directly.",
    "I am not [very|that|particularly] technical so [bear with me|please be patient].",
    "I'm on my phone so excuse the [formatting|typos|brevity].",
    "I [manage|look after|run] the account for our team of {years}.",
)
ASIDES: tuple[str, ...] = (
    "I'm [travelling|away|out of the office] until {weekday}, so [email|writing] is best.",
    "My [partner|wife|husband|flatmate] says I should have [called|phoned] instead.",
    "This has never happened [before|to me] with your [company|shop|service].",
    "I run a small [business|shop|practice], so these things add up.",
    "I had the same [issue|problem] with another [shop|company] last year and it took "
    "[weeks|forever|months].",
    "The [app|website] kept [logging me out|freezing|crashing] while I wrote this.",
    "Not sure if this is the right [address|place|team] for this.",
    "I'd rather not [phone|call], the wait times are [long|awful|ridiculous].",
    "I checked my [spam|junk] folder too.",
    "It's been a [long|busy|hectic] [week|month|day] honestly.",
    "Your [chatbot|virtual assistant|FAQ page] sent me here.",
    "I'm happy to send [screenshots|more details|anything else] if that helps.",
    "My bank app shows something slightly different, for what it's worth.",
    "I have a [meeting|call|appointment] at {clock} so I might reply late.",
    "I know you're [probably|all] [busy|swamped].",
    "I have [kids|guests|builders] at home so I might be slow to answer.",
    "A friend had a similar [problem|issue] and it got sorted [quickly|in a day].",
    "I also left a [voicemail|message] on {weekday}.",
    "Not the end of the world, but [annoying|frustrating|a hassle].",
    "I've been recommending you to [friends|colleagues], so I hope this gets [resolved|sorted].",
    "English is not my first language, sorry for [mistakes|errors].",
    "I'm writing this from the [office|train|airport].",
    "I would like this sorted before the [weekend|end of the week|holidays] if possible.",
    "I noticed the website was slow [earlier|this morning|yesterday] too, no idea if related.",
)
FILLERS: tuple[str, ...] = (
    "honestly",
    "basically",
    "to be fair",
    "just",
    "really",
    "actually",
    "I think",
    "as far as I can tell",
    "again",
    "frankly",
    "apparently",
    "of course",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NTH = ("second", "third", "fourth")

#: Word-level alternatives applied with a seeded probability to every message.
SYNONYMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("please", ("please", "pls", "kindly", "if you could")),
    ("can you", ("can you", "could you", "would you", "are you able to")),
    ("I would like", ("I would like", "I'd like", "I want", "I wish")),
    ("order", ("order", "purchase")),
    ("account", ("account", "profile")),
    ("help", ("help", "assistance", "support")),
    ("problem", ("problem", "issue", "trouble")),
    ("today", ("today", "this morning", "earlier today")),
    ("check", ("check", "look into", "have a look at", "verify")),
    ("asap", ("asap", "as soon as possible", "quickly", "soon")),
    ("thanks", ("thanks", "thank you", "many thanks")),
    ("received", ("received", "got")),
    ("I think", ("I think", "I believe", "I guess", "it seems")),
)

#: Phrasings a non-native writer might use (applied to some messages).
NON_NATIVE: tuple[tuple[str, str], ...] = (
    (r"\bI received\b", "I have received"),
    (r"\bI got\b", "I have got"),
    (r"\bI'd like\b", "I would like to ask"),
    (r"\bthe \b", ""),
    (r"\bcan you\b", "you can"),
    (r"\bplease\b", "please kindly"),
    (r"\byesterday\b", "on yesterday"),
    (r"\bI am\b", "I'm being"),
    (r"\bthis\b", "this one"),
    (r"\ban? (?=[a-z])", ""),
)

REGISTERS = ("formal", "casual", "terse", "upset", "rambling")


@dataclass(frozen=True)
class Voice:
    """How one customer writes: register, and the seeded share of typos (per word),
    run-ons, non-native phrasing, lowercase, and whether the request is buried."""

    register: str
    typo_rate: float
    run_on: bool
    non_native: bool
    lowercase: bool
    bury: bool


def voice(kit: Kit, register: str | None = None) -> Voice:
    """A seeded writing voice (``register`` forces one of :data:`REGISTERS`)."""
    reg = register or kit.pick(REGISTERS)
    typos = kit.rng.choice((0.0, 0.0, 0.0, 0.02, 0.04, 0.07))
    return Voice(
        register=reg,
        typo_rate=typos,
        run_on=kit.chance(0.25),
        non_native=kit.chance(0.22),
        lowercase=reg in ("casual", "terse") and kit.chance(0.3),
        bury=kit.chance(0.3),
    )


_ALT = re.compile(r"\[([^\[\]]*)\]")


def expand(kit: Kit, text: str) -> str:
    """``text`` with every ``[a|b|c]`` group replaced by one of its options (innermost
    groups first; an option may be empty)."""
    while True:
        m = _ALT.search(text)
        if m is None:
            return text
        options = m.group(1).split("|")
        text = text[: m.start()] + kit.pick(options) + text[m.end() :]


def fill(kit: Kit, text: str, **slots: object) -> str:
    """``text`` with its ``[a|b]`` alternatives chosen (:func:`expand`) and its ``{name}``
    slots filled from ``slots`` and the shared slots (``{weekday}``, ``{clock}``,
    ``{years}``, ``{nth}``, ``{company}``, ``{name}``)."""
    text = expand(kit, text)
    shared: dict[str, object] = {
        "weekday": kit.pick(WEEKDAYS),
        "clock": f"{kit.rng.randrange(8, 18)}:{kit.pick(('00', '15', '30', '45'))}",
        "years": kit.rng.randrange(2, 12),
        "nth": kit.pick(NTH),
        "company": "our company",
        "name": "me",
    }
    shared.update(slots)
    return text.format(**shared)


def _typo(kit: Kit, word: str) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = kit.rng.randrange(1, len(word) - 1)
    kind = kit.rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def _protected(word: str) -> bool:
    """Tokens that carry facts (ids, amounts, dates, names) are never altered."""
    return any(c.isdigit() for c in word) or word[:1].isupper() or "_" in word or "@" in word


def _synonyms(kit: Kit, text: str) -> str:
    for base, options in SYNONYMS:
        if base.lower() in text.lower() and kit.chance(0.6):
            choice = kit.pick(options)
            text = re.sub(rf"\b{re.escape(base)}\b", choice, text, count=1, flags=re.I)
    return text


def _style(kit: Kit, v: Voice, sentences: list[str]) -> list[str]:
    out = []
    for s in sentences:
        s = _synonyms(kit, s)
        if v.non_native:
            for pattern, repl in NON_NATIVE:
                if kit.chance(0.35):
                    s = re.sub(pattern, repl, s, count=1)
        if kit.chance(0.3):
            words = s.split(" ")
            at = kit.rng.randrange(1, max(2, len(words)))
            words.insert(at, kit.pick(FILLERS) + ("," if kit.chance(0.5) else ""))
            s = " ".join(words)
        if v.typo_rate:
            s = " ".join(
                w if _protected(w) or not kit.chance(v.typo_rate) else _typo(kit, w)
                for w in s.split(" ")
            )
        out.append(s.strip())
    return [s for s in out if s]


def _join(kit: Kit, v: Voice, sentences: list[str]) -> str:
    if not v.run_on:
        text = " ".join(sentences)
    else:
        parts: list[str] = []
        for s in sentences:
            if parts and kit.chance(0.6):
                glue = kit.pick((", ", " and ", " so ", ", and ", " - ", "... "))
                parts[-1] = parts[-1].rstrip(".!?") + glue + s[:1].lower() + s[1:]
            else:
                parts.append(s)
        text = " ".join(parts)
    if v.lowercase:
        text = "".join(
            c.lower() if not (i > 0 and text[i - 1].isdigit()) else c for i, c in enumerate(text)
        )
    return re.sub(r"\s{2,}", " ", text).strip()


def message(
    kit: Kit,
    *,
    facts: Sequence[str],
    request: str,
    context: Sequence[str] = (),
    name: str = "",
    company: str = "",
    register: str | None = None,
) -> str:
    """A customer message composed from parts.

    Args:
        kit: the case's seeded kit.
        facts: what the customer reports, one sentence each (already phrased by the
            family, already filled); they keep their order.
        request: the sentence that asks for something (buried under the context in some
            messages).
        context: family-specific sentences the customer may add (0 to 2 are used).
        name: the customer's full name (for the sign-off and the intro).
        company: the customer's company (business cases), for the intro.
        register: force a register (see :data:`REGISTERS`).

    Returns:
        The message, one paragraph or several (separated by a blank line).
    """
    v = voice(kit, register)
    first = name.split(" ")[0] if name else ""
    slots = {"name": name or "a customer", "company": company or "our company"}
    head: list[str] = []
    greet = kit.pick(GREETINGS[v.register])
    if v.register in ("formal", "rambling") or kit.chance(0.35):
        head.append(fill(kit, kit.pick(INTROS), **slots))
    n_ctx = kit.rng.randrange(0, min(2, len(context)) + 1) if context else 0
    ctx = kit.rng.sample(list(context), n_ctx)
    n_aside = {"terse": 0, "rambling": 2}.get(v.register, kit.rng.randrange(0, 3))
    asides = [fill(kit, a, **slots) for a in kit.rng.sample(ASIDES, n_aside)]
    body = list(facts)
    if v.register == "terse" and len(body) > 2:
        body = body[:2] + [b for b in body[2:] if kit.chance(0.5)]
    if v.bury:
        order = head + ctx + body[:1] + asides[:1] + [request] + body[1:] + asides[1:]
    else:
        mid = ctx + body
        if asides and kit.chance(0.5):
            mid.insert(kit.rng.randrange(0, len(mid) + 1), asides[0])
            asides = asides[1:]
        order = head + mid + asides + [request]
    sentences = _style(kit, v, [fill(kit, s, **slots) for s in order])
    close = kit.pick(CLOSINGS[v.register])
    sign = kit.pick((first, name, "", first[:1] if first else "")) if name else ""
    paragraphs: list[str]
    if len(sentences) > 4 and kit.chance(0.5):
        cut = kit.rng.randrange(2, len(sentences) - 1)
        paragraphs = [_join(kit, v, sentences[:cut]), _join(kit, v, sentences[cut:])]
    else:
        paragraphs = [_join(kit, v, sentences)]
    if greet:
        paragraphs.insert(0, greet)
    tail = " ".join(x for x in (close, sign) if x)
    if tail:
        paragraphs.append(tail)
    return "\n\n".join(p for p in paragraphs if p)


def compose(
    kit: Kit,
    facts: Sequence[str],
    requests: Sequence[str],
    context: Sequence[str],
    name: str,
    company: str = "",
) -> str:
    """A customer message (:func:`message`) around ``facts``, asking one of ``requests``
    (a :func:`variant`)."""
    request = variant(kit, requests)
    return message(kit, facts=facts, request=request, context=context, name=name, company=company)


def variant(kit: Kit, options: Sequence[str], **slots: object) -> str:
    """One of ``options``, filled with ``slots`` (and the shared slots of :func:`fill`)."""
    return fill(kit, options[kit.rng.randrange(len(options))], **slots)


def maybe(kit: Kit, p: float, text: str) -> str:
    """``text`` with probability ``p``, else empty."""
    return text if kit.chance(p) else ""


def pick_fn(kit: Kit, fns: Sequence[Callable[[], str]]) -> str:
    """Call one of ``fns`` (each builds a phrasing)."""
    return fns[kit.rng.randrange(len(fns))]()
