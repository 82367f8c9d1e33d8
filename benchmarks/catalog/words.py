"""Word lists the benchmark generator draws names, descriptions and definitions from.

Every word is a valid Backstage name part and tag, needs no YAML quoting and reads the
same in YAML 1.1 and 1.2 (no `yes`, `no`, `on`, `off`, numbers or dates).
"""

AREAS = (
    "billing",
    "search",
    "checkout",
    "catalog",
    "identity",
    "shipping",
    "pricing",
    "growth",
    "payments",
    "media",
    "messaging",
    "analytics",
    "inventory",
    "support",
    "security",
    "mobile",
    "partner",
    "loyalty",
    "fraud",
    "ledger",
    "routing",
    "content",
    "playback",
    "studio",
)
NOUNS = (
    "order",
    "invoice",
    "account",
    "session",
    "profile",
    "cart",
    "payment",
    "refund",
    "ticket",
    "review",
    "stock",
    "shipment",
    "coupon",
    "artist",
    "track",
    "playlist",
    "device",
    "report",
    "audit",
    "consent",
    "quote",
    "schedule",
    "station",
    "vehicle",
    "route",
    "asset",
    "document",
)
VERBS = (
    "lookup",
    "sync",
    "export",
    "import",
    "scoring",
    "matching",
    "routing",
    "tracking",
    "indexing",
    "billing",
    "ingest",
    "replay",
    "archive",
    "render",
    "notify",
    "reconcile",
)
COMPONENT_SUFFIXES = {
    "service": ("service", "worker", "gateway", "jobs", "proxy", "backend"),
    "website": ("web", "ui", "portal", "console"),
    "library": ("lib", "sdk", "client"),
}
FIRST_NAMES = (
    "ada",
    "bram",
    "chen",
    "dana",
    "elif",
    "femi",
    "greta",
    "hugo",
    "ines",
    "jonas",
    "kaia",
    "lars",
    "maya",
    "nils",
    "olu",
    "priya",
    "quinn",
    "rosa",
    "sami",
    "tomas",
    "uma",
    "vera",
    "wim",
    "yara",
)
LAST_NAMES = (
    "adeyemi",
    "bakker",
    "costa",
    "dubois",
    "eriksen",
    "fischer",
    "garcia",
    "haddad",
    "ito",
    "jansen",
    "kowalski",
    "lindqvist",
    "moreau",
    "nakamura",
    "okafor",
    "petrov",
    "rossi",
    "silva",
    "tanaka",
    "varga",
    "weber",
    "yilmaz",
    "zhang",
    "novak",
)
# Repeats weight the draw: mostly services in production.
COMPONENT_TYPES = ("service",) * 6 + ("website",) * 2 + ("library",) * 2
LIFECYCLES = ("production",) * 7 + ("experimental",) * 2 + ("deprecated",)
RESOURCE_TYPES = ("database", "database", "queue", "bucket", "cache", "topic")
API_TYPES = ("openapi", "openapi", "openapi", "asyncapi", "graphql", "grpc")
TAGS = (
    "java",
    "kotlin",
    "python",
    "go",
    "typescript",
    "rust",
    "kafka",
    "postgresql",
    "redis",
    "grpc",
    "graphql",
    "rest",
    "pci",
    "gdpr",
    "tier-1",
    "tier-2",
    "internal",
    "public",
    "c++",
    "c#",
    "k8s:prod",
)

# Inline API definitions, indented to sit under `definition: |`. Fields: name, noun, minor.
DEFINITIONS = {
    "openapi": """    openapi: 3.0.3
    info:
      title: {name}
      version: 1.{minor}.0
    paths:
      /{noun}s:
        get:
          summary: List {noun}s
          responses:
            '200':
              description: A page of {noun}s
      /{noun}s/{{id}}:
        get:
          summary: Read one {noun}
          parameters:
            - {{name: id, in: path, required: true, schema: {{type: string}}}}
          responses:
            '200':
              description: The {noun}
            '404':
              description: Not found
""",
    "asyncapi": """    asyncapi: 2.6.0
    info:
      title: {name}
      version: 1.{minor}.0
    channels:
      {noun}.changed.v1:
        subscribe:
          message:
            payload:
              type: object
              properties:
                id: {{type: string}}
                changedAt: {{type: string, format: date-time}}
""",
    "graphql": """    type Query {{
      {noun}(id: ID!): {noun_type}
      {noun}s(first: Int = 20): [{noun_type}!]!
    }}

    type {noun_type} {{
      id: ID!
      updatedAt: String!
    }}
""",
    "grpc": """    syntax = "proto3";

    package bench.{noun}.v{minor};

    message Get{noun_type}Request {{
      string id = 1;
    }}

    message {noun_type} {{
      string id = 1;
      int64 updated_at = 2;
    }}

    service {noun_type}Service {{
      rpc Get{noun_type}(Get{noun_type}Request) returns ({noun_type});
    }}
""",
}
