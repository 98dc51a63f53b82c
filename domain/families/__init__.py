"""Scenario families: each module generates unlimited seeded variants of one kind of case.

A family module exposes ``FAMILY = Family(name=..., generate=...)`` where
``generate(rng, seed) -> Scenario`` builds one case from a seeded ``random.Random``. The
facts of the case (dates, stock, devices, captures...) decide its gold, so two cases that
read alike can need different resolutions.
"""
