from ${{ values.module }} import greet


def test_greets_by_name():
    assert greet("rider") == "Hello, rider"
