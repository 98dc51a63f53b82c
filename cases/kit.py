"""Shared building blocks for scenario families: names, companies, money, dates, ids.

Everything takes a seeded ``random.Random`` (derived by sha256 in
:mod:`caseops.cases.generator`); nothing reads a clock. Dates are offsets from a fixed
reference day (``REFERENCE_DAY``), rendered as ISO dates.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

_T = TypeVar("_T")

#: The fixed "today" of every generated case (no wall clock in the domain).
REFERENCE_DAY = date(2026, 3, 16)

FIRST_NAMES = (
    "Priya",
    "Marcus",
    "Dana",
    "Helena",
    "Rafael",
    "Mei",
    "Tomás",
    "Aisha",
    "Jonas",
    "Keiko",
    "Olu",
    "Sofia",
    "Liam",
    "Noor",
    "Mateo",
    "Ingrid",
    "Kwame",
    "Yara",
    "Elif",
    "Arjun",
)
LAST_NAMES = (
    "Raman",
    "Okafor",
    "Whitfield",
    "Brooks",
    "Duarte",
    "Chen",
    "Novak",
    "Haddad",
    "Berg",
    "Sato",
    "Adeyemi",
    "Rossi",
    "Murphy",
    "Karimi",
    "Alvarez",
    "Lind",
    "Mensah",
    "Costa",
)
COMPANIES = (
    "Lumen Analytics",
    "Kestrel Logistics",
    "Corvid Pay",
    "Northwind Foods",
    "Bramble Health",
    "Tidewater Labs",
    "Quarry Software",
    "Juniper Retail",
    "Halcyon Media",
    "Obsidian Travel",
)
CURRENCIES = (("USD", "$"), ("EUR", "€"), ("GBP", "£"), ("CAD", "CA$"), ("AUD", "A$"))
TIERS_CONSUMER = ("standard", "plus")
TIERS_BUSINESS = ("business", "enterprise")


#: Mail domains of consumer addresses (``<domain>.example``).
MAIL_DOMAINS = ("inbox", "post", "mailer", "webmail", "mailbox")


def slug(text: str) -> str:
    """``text`` in lower-case ASCII letters and digits only (accents dropped): a name as
    it appears in an email address."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


@dataclass(frozen=True)
class Money:
    """An amount in minor units (cents) with its currency."""

    cents: int
    code: str
    symbol: str

    def __str__(self) -> str:
        return f"{self.symbol}{self.cents // 100:,}.{self.cents % 100:02d}"


class Kit:
    """Seeded helpers for one generated case."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, items: Sequence[_T]) -> _T:
        """One item, uniformly."""
        return items[self.rng.randrange(len(items))]

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.rng.random() < p

    def person(self) -> str:
        """A customer's full name."""
        return f"{self.pick(FIRST_NAMES)} {self.pick(LAST_NAMES)}"

    def company(self) -> str:
        """A company name."""
        return self.pick(COMPANIES)

    def money(self, lo: int, hi: int, currency: tuple[str, str] | None = None) -> Money:
        """An amount between ``lo`` and ``hi`` whole units, in a random (or given) currency."""
        code, symbol = currency or CURRENCIES[self.rng.randrange(len(CURRENCIES))]
        return Money(self.rng.randint(lo * 100, hi * 100), code, symbol)

    def day(self, days_ago: int) -> str:
        """The ISO date ``days_ago`` days before the reference day."""
        return (REFERENCE_DAY - timedelta(days=days_ago)).isoformat()

    def ident(self, prefix: str, digits: int = 5) -> str:
        """An id like ``ORD-48213``."""
        return f"{prefix}-{self.rng.randrange(10 ** (digits - 1), 10**digits)}"

    def hexid(self, prefix: str, n: int = 6) -> str:
        """An id like ``ch_9f2a1c``."""
        return prefix + "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def clock(self) -> str:
        """A time of day, ``HH:MM``."""
        return f"{self.rng.randrange(0, 24):02d}:{self.rng.randrange(0, 60):02d}"

    def mailboxes(self, first: str, last: str) -> tuple[list[str], list[str]]:
        """A person's mailbox names (``first.last``, ``flast``) and the mail domains in a
        seeded order (the first is the one on file)."""
        domains = list(MAIL_DOMAINS)
        self.rng.shuffle(domains)
        return [f"{slug(first)}.{slug(last)}", f"{slug(first)[0]}{slug(last)}"], domains
