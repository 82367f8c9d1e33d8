"""The explorer's rows, written in Python, are the HTML the template loop wrote, for hostile data too."""

from __future__ import annotations

import re

import pytest
from django.template import engines

from catalog.models import Entity
from catalog.pages.explorer_table import table_rows

# The loop ``catalog/partials/entity_table.html`` held before the rows were written in Python.
TEMPLATE_LOOP = """{% load catalog_tags display_text %}{% for entity in rows %}
    <tr>
      <td><a href="{{ entity.get_absolute_url }}">{{ entity.display_title|isolated }}</a>{% if entity.processing_errors %} <span class="chip" title="processing errors">⚠</span>{% endif %}</td>
      <td>{{ entity.kind }}</td>
      <td>{% for ref in entity.system_refs %}{% entity_link ref %} {% endfor %}</td>
      <td>{% for ref in entity.owner_refs %}{% entity_link ref %} {% endfor %}</td>
      <td>{{ entity.body.spec.type|default:"" }}</td>
      <td>{{ entity.body.spec.lifecycle|default:"" }}</td>
      <td class="hide-narrow">{{ entity.body.metadata.description|default:""|truncatechars:90 }}</td>
      <td class="hide-narrow">{% for tag in entity.body.metadata.tags %}<span class="chip">{{ tag }}</span>{% endfor %}</td>
    </tr>{% endfor %}"""  # noqa: E501


def entity(name: str, body: dict, *, title: str = "", errors: list | None = None, owners=(), systems=()) -> Entity:
    made = Entity(
        kind="Component", namespace="default", name=name, title=title, body=body, processing_errors=errors or []
    )
    made.owner_refs, made.system_refs = list(owners), list(systems)
    return made


def compact(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


HOSTILE = [
    entity(
        "shop",
        {
            "metadata": {"name": "shop", "description": "x" * 89 + "é" * 5, "tags": ["<script>", "a&b", "ok"]},
            "spec": {"type": "service", "lifecycle": "production"},
        },
        title='Shop "<b>"\u202etxt.exe',
        errors=[{"message": "bad"}],
        owners=["group:default/team-a", "user:default/ali\u200bce", "not a ref"],
        systems=["system:default/store", "system:ops/<x>"],
    ),
    entity("plain", {"metadata": {"name": "plain"}}),
    entity("no-spec", {"metadata": {"name": "no-spec", "description": "short <i>text</i>"}, "spec": "odd"}),
    entity(
        "numbers", {"metadata": {"name": "numbers", "description": "", "tags": []}, "spec": {"type": 0, "lifecycle": 7}}
    ),
    entity("long", {"metadata": {"name": "long", "description": "word " * 40}, "spec": {"type": "library"}}),
]


@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_each_row_is_the_html_the_template_loop_wrote(index):
    rows = [HOSTILE[index]]
    assert compact(table_rows(rows)) == compact(engines["django"].from_string(TEMPLATE_LOOP).render({"rows": rows}))


def test_values_from_data_are_escaped_and_hidden_characters_marked():
    html = str(table_rows(HOSTILE[:1]))
    assert "<script>" not in html and "&lt;script&gt;" in html and "a&amp;b" in html
    assert "U+202E" in html and "U+200B" in html and "\u202e" not in html and "\u200b" not in html
    assert 'title="processing errors"' in html
    assert "…" in compact(table_rows(HOSTILE[4:5]))  # a description over 90 characters is cut


def test_no_rows_write_nothing():
    assert table_rows([]) == ""
