"""Which scenario a reset plays, and what a custom episode id may be."""

from __future__ import annotations

import hashlib

from caseops.canonical import derive_seed
from caseops.cases.catalog import get_scenario, task_refs
from caseops.domain.errors import UnknownTask
from caseops.domain.scenario import Scenario

#: A custom episode id (also the ``pattern`` of ``POST /reset``'s ``episode_id``).
EPISODE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"


def choose_scenario(
    task_id: str | None,
    split: str | None,
    seed: int | None,
    episode_id: str,
    salt: str | None = None,
    index: int | None = None,
) -> Scenario:
    """The scenario a reset asks for.

    ``task_id`` wins; otherwise a task of ``split`` (``seed``, the six seed cases, when
    ``None``; else ``train``, ``validation`` or ``test``): the ``index``-th of its listing
    when an index is given (openenv's Task API), else one chosen by ``seed`` as
    ``sha256("reset", split, seed)``, or by the episode id when no seed is given. Test
    cases are generated with the private ``salt`` when one is set.

    Raises:
        UnknownTask: unknown task id or split, or an index past the split's end.
    """
    if task_id is not None:
        return get_scenario(task_id, salt)
    pool = task_refs(split)
    if index is not None:
        if not 0 <= index < len(pool):
            raise UnknownTask(
                f"split {split or 'seed'!r} has tasks 0..{len(pool) - 1}; no index {index}"
            )
        return get_scenario(pool[index], salt)
    key = seed if seed is not None else episode_id
    return get_scenario(pool[derive_seed("reset", split or "seed", key) % len(pool)], salt)


def salt_hash(salt: str | None) -> str | None:
    """The sha256 of a private test salt (what ``EpisodeStarted`` records; never the salt)."""
    return hashlib.sha256(salt.encode()).hexdigest() if salt else None
