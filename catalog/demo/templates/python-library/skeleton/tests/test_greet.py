import importlib

# The package's import name comes from the template (this file stays valid Python as a skeleton).
library = importlib.import_module("${{ values.module }}")


def test_greets_by_name():
    assert library.greet("rider") == "Hello, rider"
