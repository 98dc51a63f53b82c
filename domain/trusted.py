"""Pydantic models built from values that are typed by construction, without validation.

The observation (every step) and the grade report (every episode's end) are made by our
own code from typed records; validating them again was a tenth of a step's Python
(README, Performance). pydantic's ``model_construct`` skips validation too, but runs a
Python loop over every field's aliases and defaults that costs more than validating in
Rust, so :func:`trusted` sets the instance's state directly, as ``model_construct``
finishes. Only for output models whose values our code makes; never for input, and not
for events (the log is validated as it is written).
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
