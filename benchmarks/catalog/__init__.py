"""Benchmarking the catalog: synthetic organisations of any size (``generate``), ingestion timed in a
child process (``ingestion``), the query list drawn from the loaded catalog (``sample``, ``queries``)
timed through gunicorn (``api``, ``http_load``), the load test (``load``), the report (``report``) and
search latency (``search``)."""
