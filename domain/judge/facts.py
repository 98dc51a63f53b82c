"""Case facts in a text: amounts by value, ISO dates in their usual spellings, the rest
as written (:func:`fact_in`)."""

from __future__ import annotations

import re
from functools import lru_cache

_WS = re.compile(r"\s+")


def normalise(text: str) -> str:
    """``text`` in lower case with each run of whitespace as one space (where facts are
    looked for)."""
    return _WS.sub(" ", text.lower())


_MONEY = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?![\d])")
_MONEY_FACT = re.compile(r"[^\w\s]{0,3}[A-Z]{0,3}[^\w\s]{0,2}\s?[\d,]+(\.\d{1,2})?")
#: Letters an amount fact may carry ("USD 86.40"); any other ("SOC 2") makes it text.
_CURRENCY_CODES = frozenset(
    {"USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "JPY", "SEK", "NOK", "DKK", "PLN", "INR"}
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


@lru_cache(maxsize=4096)
def _fact_forms(fact: str) -> tuple[str, tuple[str, ...]]:
    """How a fact is matched: ``("money", (cents,))``, ``("date", spellings)`` or
    ``("text", (normalised,))``."""
    f = fact.strip()
    m = _ISO_DATE.match(f)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        name = _MONTHS[mo - 1]
        forms = {f, f"{name} {d}", f"{d} {name}", f"{name[:3]} {d}", f"{d} {name[:3]}"}
        forms |= {f"{name} {d}th", f"{d}th {name}", f"{name} {d}st", f"{name} {d}nd"}
        forms |= {f"{name} {d}rd", f"{d}/{mo}/{y}", f"{mo}/{d}/{y}", f"{d:02d}/{mo:02d}/{y}"}
        return "date", tuple(sorted(x.lower() for x in forms))
    letters = re.sub(r"[^A-Za-z]", "", f)
    if (
        any(ch.isdigit() for ch in f)
        and _MONEY_FACT.fullmatch(f)
        and (not letters or letters.upper() in _CURRENCY_CODES)
    ):
        whole, _, frac = re.sub(r"[^\d.]", "", f).partition(".")
        cents = int(whole or "0") * 100 + (int(frac.ljust(2, "0")) if frac else 0)
        return "money", (str(cents),)
    return "text", (normalise(f),)


def _money_values(norm: str) -> set[str]:
    out = set()
    for m in _MONEY.finditer(norm):
        whole = int(m[1].replace(",", ""))
        frac = int((m[2] or "0").ljust(2, "0"))
        out.add(str(whole * 100 + frac))
    return out


def fact_in(fact: str, norm: str) -> bool:
    """Whether the case fact ``fact`` appears in the normalised text ``norm``: amounts by
    value ("$1,204.50" = "1204.50" = "USD 1,204.5"), ISO dates in their usual spellings
    ("2026-03-20" = "March 20" = "20 Mar"), anything else as written (case and runs of
    whitespace ignored, on word boundaries)."""
    kind, forms = _fact_forms(fact)
    if kind == "money":
        return forms[0] in _money_values(norm)
    return any(_bounded(f).search(norm) is not None for f in forms)


@lru_cache(maxsize=4096)
def _bounded(form: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(form) + r"(?!\w)")
