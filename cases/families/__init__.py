"""Case families: each module generates unlimited seeded variants of one kind of case.

A family module exposes ``generate(kit) -> dict``: the fields of one
:class:`~caseops.domain.scenario.Scenario` built from a :class:`~caseops.cases.kit.Kit`
(a seeded ``random.Random``). The facts of the case (dates, stock, devices, captures...)
decide its gold, so two cases that read alike can need different resolutions. The
families are listed in :mod:`caseops.cases.registry`.
"""
