"""Benchmarking the catalog: synthetic organisations of any size (``generate``), ingestion timed in a
child process (``ingestion``), the REST API and the UI under load (``api``, ``http_load``, ``load``) and
search latency (``search``)."""
