"""Writes the benchmarks make to their scratch database outside any app's services.

The catalog, Soundcheck and scaffolder data a benchmark creates goes through those apps' services;
what is left here is the benchmark's own bookkeeping: the user its requests and runs belong to, and
``catalog_benchmark``'s emptying of the catalog before each size.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction

# The catalog's tables, each before the tables it references: SQLite deletes in this order (with
# foreign keys enforced, ``catalog_entityrelations`` must go before ``catalog_entity``), and
# PostgreSQL truncates them together. Stars are kept by ref, as across a real re-ingestion.
CATALOG_TABLES = (
    "catalog_relation",
    "catalog_entityrelations",
    "catalog_entityhistory",
    "catalog_entity",
    "catalog_providerstate",
    "catalog_location",
)


def benchmark_user(username: str) -> AbstractBaseUser:
    """The user a benchmark acts as (its API token, its scaffolder runs), created on first use."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    return user


def empty_catalog() -> None:
    """Remove every location, entity, relation and history row of the catalog.

    Only for the scratch benchmark database: ``catalog_benchmark`` calls it before each size, after
    checking the database is one (its name contains ``bench``, or ``--yes`` was given). It bypasses
    the catalog's services on purpose: deleting a 100,000-entity catalog through ``delete_location``
    would take longer than the ingestion being measured.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tables = ", ".join(connection.ops.quote_name(table) for table in CATALOG_TABLES)
            cursor.execute(f"TRUNCATE {tables} CASCADE")
        else:
            with transaction.atomic():
                for table in CATALOG_TABLES:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
