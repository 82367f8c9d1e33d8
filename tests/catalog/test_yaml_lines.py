"""``field_line``: the line a field named by an error is written on."""

from __future__ import annotations

import pytest

from catalog.formats.yaml_lines import field_line

FILE = b"""\
# a comment
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: first, annotations: {backstage.io/techdocs-ref: "dir:."}}
spec: {type: service}
---
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: third
  tags:
    - a
    - {b: c}
  annotations:
    github.com/project-slug: acme/third
spec:
  lifecycle: production
  owner: team-a
"""


@pytest.mark.parametrize(
    ("document", "field", "line"),
    [
        (0, "spec.type", 6),
        (0, "metadata.annotations.backstage.io/techdocs-ref", 5),  # a dotted key, in flow style
        (2, "metadata.name", 12),
        (2, "metadata.annotations.github.com/project-slug", 17),
        (2, "spec.owner", 20),
        (2, "spec.type", 18),  # missing: the line of spec
        (2, "kind", 10),
        (1, "spec", None),  # the empty document holds nothing
        (2, "nowhere.at.all", None),
        (5, "spec", None),  # no such document
    ],
)
def test_lines_of_fields(document, field, line):
    assert field_line(FILE, document, field) == line


def test_a_file_that_does_not_parse_gives_no_line():
    assert field_line(b"a: [unclosed\nb: 1\n", 0, "b") is None
