"""A small catalog for API tests (the fixtures using it are in conftest.py)."""

from __future__ import annotations

CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  title: Web shop
  tags: [python, frontend]
spec: {type: website, lifecycle: production, owner: team-a, system: shop, consumesApis: [orders-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
  tags: [java]
spec: {type: service, lifecycle: experimental, owner: team-b, system: shop, providesApis: [orders-api]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders-api}
spec: {type: openapi, lifecycle: production, owner: team-b, definition: "openapi: 3.0.0"}
"""


def components(count: int, prefix: str = "svc") -> str:
    return "".join(
        f"---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {prefix}-{index:03d}}}\n"
        f"spec: {{type: service, lifecycle: production, owner: team-a, dependsOn: ['resource:db-{index}']}}\n"
        for index in range(count)
    )
