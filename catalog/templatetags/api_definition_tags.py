"""Template filters of the API Definition tab."""

from __future__ import annotations

from django import template

from ..api_definitions.render import schema_html

register = template.Library()
register.filter("schema_html", schema_html)
