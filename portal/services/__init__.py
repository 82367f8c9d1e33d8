"""The portal's writes: API tokens, the audit log, account events and the search index's rows.

Every ORM write of the portal is a function here; views, the admin, commands, tasks and signal
receivers call them (docs/architecture.md, "Writes and audit").
"""
