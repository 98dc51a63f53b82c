"""Canonical JSON and sha256 helpers.

Canonical form: keys sorted, no insignificant whitespace, UTF-8, and no floats (a float
raises ``TypeError``: numbers that are not integers travel as decimal strings). The same
value always serialises to the same bytes on every platform, which is what the hash
chain and cross-backend replay rely on (docs/architecture.md, "Events and the store").
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson

#: The types written as they are (exact types: a subclass takes the walk's checks).
_SCALARS = frozenset({str, int, bool, type(None)})


def _reject_floats(value: Any) -> Any:
    """``value`` unchanged, after checking that it holds only what the standard encoder
    writes (dicts, lists, tuples, str, int, bool, None) and no float.

    Raises:
        TypeError: a float, or a value the standard encoder would refuse (orjson would
            write datetimes, UUIDs or dataclasses; canonical JSON does not).
    """
    # The usual value is a dict of scalars: one pass in a comprehension leaves only the
    # containers (and anything refused) for the walk below.
    if type(value) is dict:
        stack = [v for v in value.values() if type(v) not in _SCALARS]
    else:
        stack = [value]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is str or t is int or t is bool or v is None:
            continue
        if isinstance(v, float):
            raise TypeError(f"floats are not allowed in canonical JSON: {v!r}")
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)
        elif not isinstance(v, str | int):  # str and int subclasses encode as their base
            raise TypeError(f"{t.__name__} is not allowed in canonical JSON")
    return value


def canonical_json(value: Any) -> str:
    """Serialise ``value`` (dicts, lists, str, int, bool, None) to canonical JSON text.

    Raises:
        TypeError: if ``value`` holds a float or a type JSON cannot encode.
    """
    _reject_floats(value)
    try:
        # orjson writes the same bytes as the json call below for everything it accepts
        # (tests/test_properties.py holds it to that), ten times faster
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # ints beyond 64 bits, lone surrogates, non-string keys
        return reference_canonical_json(value)


def reference_canonical_json(value: Any) -> str:
    """The definition of the canonical form (the standard library's encoder); floats
    are not checked here."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    """Hex sha256 of the UTF-8 bytes of ``text`` (64 characters)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def derive_seed(*parts: object) -> int:
    """A 63-bit seed from sha256 over ``parts`` joined by ``/`` (never Python's ``hash()``)."""
    digest = hashlib.sha256("/".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1
