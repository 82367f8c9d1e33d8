from catalog.search_index import build_search_document


def test_flattens_leaves_in_lowercase():
    document = build_search_document(
        {
            "kind": "Component",
            "metadata": {"name": "Web"},
            "spec": {"type": "Service", "lifecycle": "production"},
        }
    )
    assert document["kind"] == ["component"]
    assert document["metadata.name"] == ["web"]
    assert document["spec.type"] == ["service"]


def test_array_items_share_the_key_and_add_their_own():
    document = build_search_document({"kind": "X", "metadata": {"name": "a", "tags": ["Java", "data"]}})
    assert document["metadata.tags"] == ["data", "java"]
    assert document["metadata.tags.java"] == ["true"]


def test_long_values_only_satisfy_exists():
    document = build_search_document({"kind": "API", "metadata": {"name": "a"}, "spec": {"definition": "x" * 500}})
    assert document["spec.definition"] == []


def test_long_keys_are_dropped():
    long_key = "k" * 250
    document = build_search_document({"kind": "X", "metadata": {"name": "a", "labels": {long_key: "v"}}})
    assert not any(long_key in key for key in document)


def test_namespace_is_always_indexed():
    assert build_search_document({"kind": "X", "metadata": {"name": "a"}})["metadata.namespace"] == ["default"]


def test_relations_and_status_are_not_indexed_from_the_body():
    document = build_search_document({"kind": "X", "metadata": {"name": "a"}, "relations": [{"type": "t"}]})
    assert not any(key.startswith("relations") for key in document)
