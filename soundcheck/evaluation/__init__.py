"""Computing what an evaluation would store, without storing it: which checks and tracks apply to
which entities (``membership``) and every check state and track level from the facts (``outcomes``).

Writing the outcomes (results, their history, fingerprints, the record of a full run) is
``soundcheck.services.evaluations`` and ``soundcheck.services.results``.
"""
