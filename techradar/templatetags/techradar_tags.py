"""Small filters for drawing the radar's SVG."""

from django import template

register = template.Library()


@register.filter
def svgnum(value) -> str:
    """A coordinate with at most two decimals and no locale formatting (SVG wants a dot)."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


@register.filter
def neg(value) -> float:
    return -float(value)


@register.filter
def mul(value, factor) -> float:
    return float(value) * float(factor)
