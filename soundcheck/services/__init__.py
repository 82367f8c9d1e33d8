"""Every write Soundcheck makes goes through these modules; views, forms, the admin, the API, tasks,
signals and commands call them.

- ``campaigns``: campaigns written by hand (pages, admin), audited;
- ``definitions``: checks, tracks and campaigns from a source or the admin, audited;
- ``facts``: facts from collectors and the API (API pushes audited);
- ``evaluations`` and ``results``: evaluation runs and the results they store (bookkeeping);
- ``reruns``: an entity's checks re-run on request, audited;
- ``reminders``: claiming a campaign before its reminders go out (bookkeeping);
- ``bulk``: multi-row INSERT, upsert and COPY of plain tuples, for evaluation's large writes.

Which writes are audited, and with which action, is in docs/soundcheck.md ("Writes and the audit log").
Import from the module (``from soundcheck.services.facts import record_facts``).
"""
