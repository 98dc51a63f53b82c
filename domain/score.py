"""Exact scores and rewards: :class:`Score`, a number carried to ``PLACES`` decimal places.

Every score, potential, reward and cost the environment computes or records is a
:class:`Score`: an integer count of ``10**-PLACES`` inside, so that sums and differences
are exact and a reward summed over an episode telescopes to the last digit. Events and
wire outputs carry it as a decimal string with exactly ``PLACES`` places
(``str(score)``, e.g. ``"0.250000000000"``), read back by :meth:`Score.parse`; a float is
made only at the edge (``float(score)``, the correctly rounded value).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

#: Decimal places of a recorded number.
PLACES = 12
#: A number ``x`` is held as the integer ``x * SCALE``.
SCALE = 10**PLACES


def _round_ratio(num: int, den: int) -> int:
    """``num / den * SCALE`` rounded half-to-even, in integer arithmetic (``den > 0``)."""
    q, r = divmod(num * SCALE, den)  # floor division: 0 <= r < den
    if 2 * r > den or (2 * r == den and q % 2):
        q += 1
    return q


@dataclass(frozen=True, slots=True, order=True)
class Score:
    """An exact number to ``PLACES`` decimal places, held as ``scaled = x * SCALE``.

    Immutable and hashable; ``+`` and ``-`` are exact; ``str`` writes the recorded form
    and :meth:`parse` reads it back (``Score.parse(str(s)) == s``).
    """

    scaled: int = 0

    @classmethod
    def ratio(cls, num: int, den: int) -> Score:
        """``num / den`` rounded half-to-even to ``PLACES`` places.

        Raises:
            ZeroDivisionError: ``den`` is 0.
        """
        if den < 0:
            num, den = -num, -den
        if den == 0:
            raise ZeroDivisionError("a score's denominator is 0")
        return cls(_round_ratio(num, den))

    @classmethod
    def of(cls, value: Fraction | int) -> Score:
        """``value`` rounded half-to-even to ``PLACES`` places (exact for the costs,
        which have two)."""
        v = Fraction(value)
        return cls(_round_ratio(v.numerator, v.denominator))

    @classmethod
    def parse(cls, text: str) -> Score:
        """The score a decimal string holds: what ``str`` writes is read from its digits;
        any other number text (``"0"``, ``"1/3"``) exactly, then rounded half-to-even.

        Raises:
            ValueError: text that is not a number.
            ZeroDivisionError: a fraction with a zero denominator (``"1/0"``).
        """
        head, dot, tail = text.partition(".")
        if dot and len(tail) == PLACES and tail.isdigit() and head.lstrip("-").isdigit():
            return cls(int(head + tail))
        return cls.of(Fraction(text))

    def __str__(self) -> str:
        """The recorded form: a decimal with exactly ``PLACES`` places."""
        q = self.scaled
        sign = "-" if q < 0 else ""
        q = abs(q)
        return f"{sign}{q // SCALE}.{q % SCALE:0{PLACES}d}"

    def __float__(self) -> float:
        """The correctly rounded float (``float(self.exact)``)."""
        return self.scaled / SCALE

    @property
    def exact(self) -> Fraction:
        """The exact value."""
        return Fraction(self.scaled, SCALE)

    def __add__(self, other: Score) -> Score:
        return Score(self.scaled + other.scaled)

    def __sub__(self, other: Score) -> Score:
        return Score(self.scaled - other.scaled)

    def __neg__(self) -> Score:
        return Score(-self.scaled)

    def __bool__(self) -> bool:
        return self.scaled != 0


#: Nothing: the score of no credit, the cost of a free step.
ZERO = Score(0)
