"""${{ values.description }}"""


def greet(name: str) -> str:
    """The greeting for ``name``."""
    return f"Hello, {name}"
