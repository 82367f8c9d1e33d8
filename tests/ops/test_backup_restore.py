"""Backup and restore as docs/operations.md describes it: pg_dump, pg_restore into a fresh database, compare.

Runs only on PostgreSQL with pg_dump and pg_restore installed (CI's DATABASE_URL); it makes and drops
its own database with a unique name and never touches any other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest
from django.db import connection

from catalog.services.locations import refresh_location, register_location, validate_location_spec
from tests.conftest import component

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        or not (shutil.which("pg_dump") and shutil.which("pg_restore")),
        reason="needs DATABASE_URL on PostgreSQL and pg_dump/pg_restore (CI runs it)",
    ),
]

TABLES = ["catalog_entity", "catalog_location", "catalog_relation", "django_migrations", "auth_user"]


def client_env() -> tuple[dict[str, str], list[str]]:
    """Environment and connection arguments for the PostgreSQL client tools, from Django's connection."""
    params = connection.settings_dict
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    args = ["-h", params.get("HOST") or "127.0.0.1", "-p", str(params.get("PORT") or 5432)]
    args += ["-U", params.get("USER") or "postgres"]
    return env, args


def snapshot(database: str) -> dict[str, object]:
    """Row counts of the main tables and every entity's ref, etag and body."""
    import psycopg

    params = connection.settings_dict
    with psycopg.connect(
        host=params.get("HOST") or "127.0.0.1",
        port=params.get("PORT") or 5432,
        user=params.get("USER") or "postgres",
        password=params.get("PASSWORD") or None,
        dbname=database,
        autocommit=True,
    ) as conn:
        counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
        entities = conn.execute("SELECT ref, etag, generation, body::text FROM catalog_entity ORDER BY ref").fetchall()
    return {"counts": counts, "entities": entities}


def test_dump_and_restore_into_a_fresh_database_keeps_everything(write_file, tmp_path, django_user_model):
    django_user_model.objects.create_user("alice")
    for name in ("shop", "cart", "payments"):
        location = register_location(
            validate_location_spec("file", str(write_file(f"{name}.yaml", component(name)))), trusted=True
        )
        refresh_location(location)
    source = connection.settings_dict["NAME"]
    restored = f"greenroom_restore_{uuid.uuid4().hex[:12]}"
    env, args = client_env()
    dump = tmp_path / "greenroom.dump"

    subprocess.run(["pg_dump", *args, "--format=custom", "--file", str(dump), source], env=env, check=True, timeout=300)
    subprocess.run(["createdb", *args, restored], env=env, check=True, timeout=60)
    try:
        restore = subprocess.run(
            ["pg_restore", *args, "--no-owner", "--exit-on-error", "--dbname", restored, str(dump)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert restore.returncode == 0, restore.stderr

        before, after = snapshot(source), snapshot(restored)
    finally:
        subprocess.run(["dropdb", *args, "--if-exists", restored], env=env, check=True, timeout=60)

    assert before["counts"]["catalog_entity"] == 6  # three components and their three Location entities
    assert after == before
