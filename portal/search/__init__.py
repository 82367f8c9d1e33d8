"""One search over the catalog, templates, people and documentation pages (see docs/search.md)."""
