"""Values worked out once per live object, by identity: the one place the step caches.

Scenarios are frozen but not hashable (they hold dicts), so what is worked out from one is
keyed by ``id`` with a weak reference that checks a hit and drops the entry when the
scenario is collected. Used only where bench shows the work matters to a step
(bench/README.md).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
V = TypeVar("V")


class PerObject(Generic[T, V]):
    """``make(obj)`` worked out once per live ``obj`` (by identity), then handed out again.

    ``make`` must be a pure function of the object, which must be immutable: a hit is the
    very same object. Not thread-safe beyond what a dict is (a race computes a value twice).
    """

    def __init__(self, make: Callable[[T], V]) -> None:
        self._make = make
        self._values: dict[int, tuple[weakref.ReferenceType[T], V]] = {}

    def __call__(self, obj: T) -> V:
        key = id(obj)
        hit = self._values.get(key)
        if hit is not None and hit[0]() is obj:
            return hit[1]
        value = self._make(obj)
        values = self._values

        def forget(_: object, key: int = key) -> None:
            values.pop(key, None)

        values[key] = (weakref.ref(obj, forget), value)
        return value

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, obj: object) -> bool:
        hit = self._values.get(id(obj))
        return hit is not None and hit[0]() is obj
