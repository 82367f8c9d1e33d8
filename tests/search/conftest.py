"""A small catalog for search: components, an API, a template, a team and a person."""

from __future__ import annotations

import pytest
from django.test import TestCase

from catalog.services import refresh_location, register_location, validate_location_spec

SEARCH_CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-payments, description: Owns money movement}
spec: {type: team, profile: {displayName: Payments Team, email: payments@example.com}, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: ana}
spec: {profile: {displayName: Ana Lima, email: ana.lima@example.com}, memberOf: [team-payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payment
  title: Payment gateway
  description: Takes card payments for the shop.
  tags: [java, money]
spec: {type: service, lifecycle: production, owner: team-payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger
  title: Ledger
  description: Double-entry book of every payment the gateway accepts.
  tags: [python]
spec: {type: service, lifecycle: experimental, owner: team-payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web-shop
  title: Web shop
  description: The storefront <script>alert(1)</script> people buy from.
spec: {type: website, lifecycle: production, owner: team-web}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payment-api, title: Payments API, description: Charge and refund.}
spec: {type: openapi, lifecycle: production, owner: team-payments, definition: "openapi: 3.0.0"}
---
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: python-service, title: Python service, description: Create a new Python service with CI.}
spec: {type: service, owner: team-web, steps: []}
"""


def committed():
    """Run the on-commit work of the writes inside (the index follows catalog writes after commit)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def load_catalog(write_file, text: str = SEARCH_CATALOG, name: str = "catalog.yaml"):
    """Register (once) and refresh a catalog file, then run what waits for the commit."""
    with committed():
        location = register_location(
            validate_location_spec("file", str(write_file(name, text))), exists_ok=True, trusted=True
        )
        refresh_location(location)
    return location


@pytest.fixture
def search_catalog(write_file):
    return load_catalog(write_file)


@pytest.fixture
def reader(client, settings):
    """A browser client reading pages anonymously, as anonymous read allows."""
    settings.API_ANONYMOUS_READ = True
    return client
