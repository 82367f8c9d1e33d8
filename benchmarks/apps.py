from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Only the benchmark commands (``benchmarks/management/commands/``): no models, no URLs."""

    name = "benchmarks"
    verbose_name = "Benchmarks"
