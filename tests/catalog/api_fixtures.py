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


# A fuller catalog for tests/catalog/test_catalog_client.py: several kinds, tags, owners and relations.
CLIENT_CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: commerce}
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop, tags: [customer-facing]}
spec: {owner: team-a, domain: commerce}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: payments}
spec: {owner: team-b, domain: commerce}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: org}
spec: {type: organization, children: [team-a, team-b]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, parent: org, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, parent: org, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: ana}
spec: {memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: ben}
spec: {memberOf: [team-b]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web, title: Web shop, tags: [frontend, typescript]}
spec: {type: website, lifecycle: production, owner: team-a, system: shop, consumesApis: [orders-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: orders, tags: [java]}
spec:
  type: service
  lifecycle: production
  owner: team-b
  system: shop
  providesApis: [orders-api]
  dependsOn: [resource:orders-db]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: payments-service, tags: [java, pci]}
spec: {type: service, lifecycle: experimental, owner: team-b, system: payments, providesApis: [payments-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: billing, tags: [python]}
spec: {type: service, lifecycle: experimental, owner: team-b, system: payments, consumesApis: [payments-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ui-kit, tags: [frontend, typescript]}
spec: {type: library, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders-api}
spec: {type: openapi, lifecycle: production, owner: team-b, system: shop, definition: "openapi: 3.0.0"}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments-api, tags: [pci]}
spec: {type: grpc, lifecycle: experimental, owner: team-b, system: payments, definition: "syntax = 'proto3';"}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: orders-db}
spec: {type: database, owner: team-b, system: shop}
"""
