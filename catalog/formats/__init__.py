"""Backstage's formats, free of Django: importable and testable on their own.

Descriptor reading (the YAML reader and its limits), validation of the envelope and the built-in
kinds, entity refs, relations, catalog rules, the ``filter`` query syntax, URL safety and the
location readers (files and git). Nothing here imports Django, the ORM or another floor of
Greenroom; ``lint-imports`` holds that (see ``pyproject.toml`` and ``docs/architecture.md``), and the
catalog validator command is built on it.
"""
