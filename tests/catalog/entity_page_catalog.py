"""A catalog for the entity page tests: every kind with an overview card of its own, and hostile values."""

from __future__ import annotations

ENTITY_PAGE_CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: commerce, title: Commerce}
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop, title: Shop, description: Everything that sells.}
spec: {owner: team-a, domain: commerce}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: org
  title: The Org
spec: {type: organization, children: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  title: Team A
  annotations: {slack.com/channel: team-a-chat}
spec:
  type: team
  parent: org
  children: []
  members: [ana]
  profile: {email: team-a@example.com, displayName: The A Team}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: ana, title: Ana Lima}
spec: {memberOf: [team-a], profile: {email: ana@example.com}}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  title: Web shop
  name: web
  description: "Sells <b>bikes</b> <script>alert(1)</script>"
  tags: [python]
  annotations:
    backstage.io/techdocs-ref: dir:.
    backstage.io/source-location: url:https://git.example.com/shop/web/
    backstage.io/view-url: "data:text/html,<script>alert(1)</script>"
  links:
    - {url: "https://grafana.example.com/web", title: Dashboard, icon: dashboard}
    - {url: "javascript:alert(1)", title: Sneaky}
spec:
  type: website
  lifecycle: deprecated
  owner: team-a
  system: shop
  providesApis: [orders-api]
  consumesApis: [payments-api, ghost-api]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web-cart, description: The cart inside the web shop.}
spec: {type: library, lifecycle: production, owner: user:ana, subcomponentOf: web, system: shop}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: orders-api, title: Orders API}
spec: {type: openapi, lifecycle: production, owner: team-a, system: shop, definition: "openapi: 3.0.0"}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: payments-api}
spec: {type: grpc, lifecycle: production, owner: org, definition: "syntax = 'proto3';"}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: shop-db}
spec: {type: database, owner: team-a, system: shop}
"""


def provided_apis(count: int) -> str:
    """A component providing ``count`` APIs, and the APIs, for query-count tests."""
    names = [f"api-{index:03d}" for index in range(count)]
    documents = [
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: hub}\n"
        "spec: {type: service, lifecycle: production, owner: team-a, system: shop, "
        f"providesApis: [{', '.join(names)}]}}\n"
    ]
    documents += [
        f"apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {{name: {name}}}\n"
        "spec: {type: openapi, lifecycle: production, owner: team-a, definition: x}\n"
        for name in names
    ]
    return "---\n".join(documents)
