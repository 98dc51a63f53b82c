"""Pydantic models built from values that are typed by construction, without validation.

Kept for one reason: the observation, made at every step by our own code from typed
records, costs markedly more validated (bench/README.md). pydantic's ``model_construct``
skips validation too but loops over every field in Python, so :func:`trusted` sets the
instance's state directly, as ``model_construct`` finishes. Only for output models whose
values our code makes; never for input, and not for events (the log is validated as it
is written).
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def trusted(cls: type[M], values: dict[str, Any], fields_set: set[str] | None = None) -> M:
    """An instance of ``cls`` holding ``values`` as they are, without validation.

    Args:
        cls: a pydantic model without private attributes, ``extra="allow"`` or
            ``model_post_init``.
        values: every field of ``cls``, in its field order, each of the type validation
            would leave (a float field gets a float, a nested model an instance).
        fields_set: what ``cls(**kwargs)`` would record as explicitly set (default: every
            key of ``values``).

    Returns:
        The model: equal to ``cls.model_validate(values)`` when ``values`` keep the
        contract (the property tests in ``tests/test_properties.py`` hold the
        observation and the grade report to it: values, types, key order, fields set).
    """
    m = cls.__new__(cls)
    _set(m, "__dict__", values)
    _set(m, "__pydantic_fields_set__", set(values) if fields_set is None else fields_set)
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m
