"""Benchmarks, load tests and the synthetic data they run on, for every app.

Not part of the installed package: it lives beside ``scripts/`` and ``docs/`` in the source checkout,
and ``portal.settings`` adds it to ``INSTALLED_APPS`` only when it is there, so ``manage.py
catalog_benchmark`` and the other benchmark commands run from a checkout and are absent from a
deployment. It stands above every app (import-linter): it may import them all, none imports it.
"""
