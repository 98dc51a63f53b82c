"""The cases CaseOps serves, apart from the domain's core rules.

- :mod:`~caseops.cases.families`: one module per family of generated cases, listed
  explicitly in :mod:`~caseops.cases.registry`;
- :mod:`~caseops.cases.generator`: ``generate(family, seed) -> Scenario``, splits and task ids;
- :mod:`~caseops.cases.seeds`: the six hand-written seed cases;
- :mod:`~caseops.cases.catalog`: lookup by task id (seed ids, their old aliases, and
  ``<family>/<seed>``) and by split;
- :mod:`~caseops.cases.kit`, :mod:`~caseops.cases.text`, :mod:`~caseops.cases.common`:
  the building blocks families share (seeded picks, composed text, priorities, assembly).

This package imports :mod:`caseops.domain` (the Scenario and Gold models, claims, vocab);
the domain never imports it.
"""
