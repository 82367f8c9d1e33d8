import contextlib
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog.formats.yaml_reader import HAS_LIBYAML, YamlDocument, YamlFileError, parse_documents


def parse(text: str | bytes, **limits: int) -> list[YamlDocument]:
    data = text.encode() if isinstance(text, str) else text
    return parse_documents(data, source="catalog-info.yaml", **limits)


def only_data(text: str | bytes) -> dict:
    (document,) = parse(text)
    assert document.error is None
    return document.data


def only_error(text: str | bytes) -> str:
    (document,) = parse(text)
    assert document.data is None
    return document.error


def test_uses_the_libyaml_parser():
    assert HAS_LIBYAML


def test_reads_a_simple_entity():
    documents = parse("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n")

    assert documents == [
        YamlDocument(
            index=0,
            line=1,
            data={"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": {"name": "x"}},
            error=None,
        )
    ]


def test_empty_file_has_no_documents():
    assert parse(b"") == []


def test_comment_only_file_has_no_documents():
    assert parse("# nothing here\n") == []


def test_multi_document_skips_empty_and_null_documents_but_keeps_positions():
    documents = parse("---\na: 1\n---\n---\n~\n---\nnull\n--- \nb: 2\n...\n")

    assert [(document.index, document.line, document.data) for document in documents] == [
        (0, 1, {"a": 1}),
        (4, 8, {"b": 2}),
    ]


def test_document_line_is_where_the_document_starts():
    documents = parse("# header\n\nname: a\n---\n# comment\nname: b\n")

    assert [document.line for document in documents] == [3, 4]


def test_duplicate_key_is_an_error_naming_key_and_line():
    error = only_error("metadata:\n  name: a\n  name: b\n")

    assert "duplicate key 'name'" in error
    assert "line 3" in error


def test_duplicate_key_in_one_document_keeps_the_others():
    documents = parse("a: 1\n---\nb: 1\nb: 2\n---\nc: 3\n")

    assert [document.data for document in documents] == [{"a": 1}, None, {"c": 3}]
    assert "duplicate key 'b' at line 4" in documents[1].error


def test_keys_that_stringify_alike_are_duplicates():
    error = only_error('1: a\n"1": b\n')

    assert "duplicate key '1'" in error


def test_merge_key_stays_a_literal_key():
    data = only_data("base: &base\n  a: 1\nchild:\n  <<: *base\n  b: 2\n")

    assert data["child"] == {"<<": {"a": 1}, "b": 2}


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO", "On", "OFF"])
def test_yaml_1_1_booleans_stay_strings(word):
    assert only_data(f"owner: {word}\n") == {"owner": word}


@pytest.mark.parametrize(("text", "value"), [("true", True), ("True", True), ("TRUE", True), ("false", False)])
def test_core_booleans_are_resolved(text, value):
    assert only_data(f"flag: {text}\n")["flag"] is value


@pytest.mark.parametrize("text", ["tRue", "FaLSE"])
def test_mixed_case_booleans_stay_strings(text):
    assert only_data(f"flag: {text}\n") == {"flag": text}


@pytest.mark.parametrize("text", ["2020-01-01", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5"])
def test_dates_and_timestamps_stay_strings(text):
    assert only_data(f"when: {text}\n") == {"when": text}


def test_leading_zero_integer_is_decimal():
    assert only_data("mode: 0755\n") == {"mode": 755}


@pytest.mark.parametrize(
    ("text", "value"), [("0o17", 15), ("0x1F", 31), ("-12", -12), ("+7", 7), ("0", 0), ("1_000", "1_000")]
)
def test_core_integers_are_resolved(text, value):
    assert only_data(f"n: {text}\n") == {"n": value}


def test_base_60_stays_a_string():
    assert only_data("time: 1:20\n") == {"time": "1:20"}


@pytest.mark.parametrize(
    ("text", "value"), [("1.5", 1.5), ("-.5", -0.5), ("1e3", 1000.0), ("1.", 1.0), (".inf", math.inf)]
)
def test_core_floats_are_resolved(text, value):
    assert only_data(f"x: {text}\n") == {"x": value}


def test_negative_infinity_and_nan_are_floats():
    data = only_data("a: -.Inf\nb: .NaN\n")

    assert data["a"] == -math.inf
    assert math.isnan(data["b"])


@pytest.mark.parametrize("text", ["~", "null", "Null", "NULL", ""])
def test_core_nulls_are_resolved(text):
    assert only_data(f"x: {text}\n") == {"x": None}


def test_huge_integer_does_not_raise():
    assert only_data("n: " + "9" * 5000 + "\n") == {"n": math.inf}


def test_quoted_scalars_stay_strings():
    assert only_data("a: '1'\nb: \"true\"\nc: 'null'\n") == {"a": "1", "b": "true", "c": "null"}


@pytest.mark.parametrize(
    ("text", "value"),
    [("!!str 12", "12"), ("!!int '12'", 12), ("!!float 1", 1.0), ("!!bool true", True), ("!!null ''", None)],
)
def test_core_tags_are_honoured(text, value):
    assert only_data(f"x: {text}\n") == {"x": value}


def test_non_specific_tag_makes_a_string():
    assert only_data("x: ! 12\n") == {"x": "12"}


def test_core_tag_with_a_value_it_cannot_hold_is_an_error():
    error = only_error("x: !!int twelve\n")

    assert "'twelve' is not an integer" in error
    assert "line 1" in error


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("x: !!python/object/apply:os.system ['echo hi']\n", "!!python/object/apply:os.system"),
        ("x: !!python/name:os.system ''\n", "!!python/name:os.system"),
        ("x: !!binary aGVsbG8=\n", "!!binary"),
        ("x: !custom value\n", "!custom"),
        ("x: !!timestamp 2020-01-01\n", "!!timestamp"),
        ("x: !!set {a, b}\n", "!!set"),
    ],
)
def test_non_core_tags_are_refused_naming_tag_and_line(text, tag):
    error = only_error("a: 1\n" + text)

    assert f"tag {tag} is not allowed" in error
    assert "line 2" in error


def test_python_tag_is_never_executed(tmp_path):
    marker = tmp_path / "ran"
    parse(f"x: !!python/object/apply:os.system ['touch {marker}']\n")

    assert not marker.exists()


def test_non_string_scalar_keys_are_stringified_like_javascript():
    data = only_data("1: a\ntrue: b\n~: c\n1.0e2: d\n.inf: e\n")

    assert data == {"1": "a", "true": "b", "": "c", "100": "d", "Infinity": "e"}


def test_collection_key_is_an_error():
    error = only_error("? [a, b]\n: value\n")

    assert "keys must be scalars" in error
    assert "line 1" in error


@pytest.mark.parametrize(("text", "kind"), [("- a\n", "array"), ("just text\n", "string"), ("42\n", "number")])
def test_non_mapping_root_is_an_error(text, kind):
    assert only_error(text) == f"Expected object at root, got {kind} (line 1)"


def test_aliases_share_one_object():
    data = only_data("a: &x [1, 2]\nb: *x\n")

    assert data["a"] is data["b"]


def test_unknown_alias_is_an_error():
    error = only_error("a: *missing\n")

    assert "alias *missing refers to an unknown anchor" in error


def test_self_referencing_alias_is_an_error():
    error = only_error("a: &x [*x]\n")

    assert "contains it" in error


def billion_laughs(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly():
    started = time.perf_counter()
    error = only_error(billion_laughs(9))

    assert time.perf_counter() - started < 1
    assert "document expands to more than 200000 nodes through its aliases" in error


def test_alias_bomb_in_one_document_keeps_the_others():
    documents = parse("a: 1\n---\n" + billion_laughs(9))

    assert documents[0].data == {"a": 1}
    assert "through its aliases" in documents[1].error


def test_node_limit_counts_expanded_aliases():
    # 1 root + 2 keys + [1, 2, 3, 4] (5) + the outer list (1) + three copies of the aliased list (15)
    text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n"

    assert parse(text, max_nodes=24)[0].error is None
    assert "expands to more than 23 nodes" in parse(text, max_nodes=23)[0].error


def test_many_plain_keys_say_which_limit_was_hit_without_mentioning_aliases():
    text = "".join(f"k{number}: {number}\n" for number in range(100_000))

    error = only_error(text)

    assert "document has more than 200000 nodes" in error
    assert "alias" not in error


def test_text_limit_counts_expanded_aliases():
    # "abcd" anchored once and referenced three times: 4 + 3 * 4 bytes of values, plus the keys a, b.
    text = "a: &x abcd\nb: [*x, *x, *x]\n"

    assert parse(text, max_text_bytes=18)[0].error is None
    error = parse(text, max_text_bytes=17)[0].error
    assert "document expands to more than 17 bytes of text through its aliases" in error


def test_text_limit_counts_utf8_bytes_without_aliases():
    error = parse("a: \u00e9\u00e9\n", max_text_bytes=4)[0].error

    assert "document has more than 4 bytes of text" in error


def test_text_limit_defaults_to_twice_the_file_limit():
    anchored = "a: &x " + "y" * 100 + "\n"

    assert parse(anchored + "b: [*x, *x]\n", max_bytes=200)[0].error is None
    assert "more than 400 bytes of text" in parse(anchored + "b: [*x, *x, *x, *x]\n", max_bytes=200)[0].error


def test_deep_nesting_is_refused_without_recursion_error():
    error = only_error("a: " + "[" * 10_000 + "]" * 10_000 + "\n")

    assert "nests deeper than 64 levels" in error


def test_deep_block_nesting_is_refused():
    text = "".join("  " * depth + f"k{depth}:\n" for depth in range(100)) + "  " * 100 + "leaf\n"

    assert "nests deeper than 64 levels" in only_error(text)


def test_very_deep_flow_nesting_is_refused_quickly():
    started = time.perf_counter()
    error = only_error(b"[" * 2_000_000)

    assert time.perf_counter() - started < 1
    assert "nests deeper than 64 levels" in error


def test_reading_stops_after_a_document_nested_too_deep():
    documents = parse("a: 1\n---\nb: " + "[" * 100 + "]" * 100 + "\n---\nc: 3\n")

    assert [document.data for document in documents] == [{"a": 1}, None]
    assert "the rest of the file was not read" in documents[1].error


def test_deep_nesting_after_another_error_in_the_document_is_refused_quickly():
    started = time.perf_counter()
    error = only_error(b"a: 1\na: 2\nb: " + b"[" * 200_000)

    assert time.perf_counter() - started < 1
    assert "the rest of the file was not read" in error


def test_depth_counts_through_aliases():
    inner = "[" * 40 + "]" * 40
    text = f"a: &deep {inner}\nb: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[*deep]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"

    assert "nests deeper than 64 levels" in only_error(text)


def test_nesting_at_the_limit_is_accepted():
    assert parse("a: " + "[" * 63 + "]" * 63 + "\n")[0].error is None


def test_nesting_one_past_the_limit_is_refused():
    assert "nests deeper than 64 levels" in only_error("a: " + "[" * 64 + "]" * 64 + "\n")


def test_non_utf8_is_refused_naming_offset_and_line():
    with pytest.raises(YamlFileError) as raised:
        parse(b"a: 1\nb: caf\xe9\n")

    assert raised.value.line == 2
    assert "byte 0xe9 at offset 11" in raised.value.message
    assert str(raised.value).startswith("catalog-info.yaml:2: not valid UTF-8")


def test_non_utf8_offset_counts_the_bom():
    with pytest.raises(YamlFileError) as raised:
        parse(b"\xef\xbb\xbfa: \xff\n")

    assert "offset 6" in raised.value.message


def padded_to(prefix_bytes: int, tail: bytes) -> bytes:
    """A comment-only file of ``prefix_bytes`` (16-byte lines), then ``tail``."""
    return b"#" + b"-" * 14 + b"\n" + (b"#" * 15 + b"\n") * (prefix_bytes // 16 - 1) + tail


def test_a_character_cut_by_the_validation_chunk_boundary_is_read_whole():
    # "é" (2 bytes) starts on the last byte of the first 1 MiB chunk.
    data = b"x: " + b"y" * (1024 * 1024 - 4) + b"\xc3\xa9\n"
    assert data[1024 * 1024 - 1 : 1024 * 1024 + 1] == "é".encode()

    assert only_data(data) == {"x": "y" * (1024 * 1024 - 4) + "é"}


def test_non_utf8_past_the_first_validation_chunk_names_its_own_offset_and_line():
    data = padded_to(3 * 1024 * 1024, b"a: caf\xe9\n")
    offset = 3 * 1024 * 1024 + len(b"a: caf")

    with pytest.raises(YamlFileError) as raised:
        parse(data)

    assert raised.value.line == 3 * 1024 * 1024 // 16 + 1
    assert f"byte 0xe9 at offset {offset}" in raised.value.message


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("a: 1\n".encode("utf-16"), "UTF-16"),
        (b"\xfe\xff" + "a: 1\n".encode("utf-16-be"), "UTF-16"),
        ("a: 1\n".encode("utf-16-le"), "UTF-16"),
        ("a: 1\n".encode("utf-16-be"), "UTF-16"),
        ("a: 1\n".encode("utf-32"), "UTF-32"),
        ("a: 1\n".encode("utf-32-be"), "UTF-32"),
    ],
)
def test_utf16_and_utf32_are_named_rather_than_called_bad_utf8(data, encoding):
    with pytest.raises(YamlFileError) as raised:
        parse(data)

    assert str(raised.value) == f"catalog-info.yaml: {encoding} is not supported; save the file as UTF-8"


def test_nul_byte_is_refused():
    with pytest.raises(YamlFileError) as raised:
        parse(b"a: 1\nb: x\x00y\n")

    assert raised.value.line == 2
    assert "NUL character at offset 9" in raised.value.message


def test_nul_escape_in_a_string_is_refused():
    error = only_error('a: "x\\0y"\n')

    assert "NUL" in error
    assert "line 1" in error


def test_surrogate_escape_is_refused():
    with pytest.raises(YamlFileError):
        parse('a: "\\ud800"\n')


def test_utf8_bom_is_accepted():
    assert only_data(b"\xef\xbb\xbfa: 1\n") == {"a": 1}


def test_crlf_line_endings_are_accepted():
    documents = parse(b"a: 1\r\nb:\r\n  c: two\r\n---\r\nd: 3\r\n")

    assert [document.data for document in documents] == [{"a": 1, "b": {"c": "two"}}, {"d": 3}]
    assert [document.line for document in documents] == [1, 4]


def test_tab_indentation_is_refused():
    with pytest.raises(YamlFileError) as raised:
        parse("metadata:\n\tname: x\n")

    assert raised.value.line == 2


def test_tab_inside_a_value_is_accepted():
    assert only_data("a: b\tc\n") == {"a": "b\tc"}


def test_unicode_is_kept():
    assert only_data("title: Café ☕\n") == {"title": "Café ☕"}


def test_oversized_file_is_refused():
    with pytest.raises(YamlFileError) as raised:
        parse(b"a: " + b"x" * 100 + b"\n", max_bytes=50)

    assert raised.value.line is None
    assert "more than the limit of 50" in str(raised.value)


def test_default_size_limit_is_four_mebibytes():
    with pytest.raises(YamlFileError):
        parse(b"#" * (4 * 1024 * 1024 + 1))


def test_syntax_error_raises_naming_file_and_line():
    with pytest.raises(YamlFileError) as raised:
        parse("a: 1\nb: [1, 2\nc: 3\n")

    assert raised.value.source == "catalog-info.yaml"
    assert raised.value.line is not None
    assert str(raised.value).startswith(f"catalog-info.yaml:{raised.value.line}: YAML syntax error")


def test_syntax_error_after_good_documents_still_raises():
    with pytest.raises(YamlFileError):
        parse("a: 1\n---\nb: : :\n  - x\n")


def test_control_character_is_refused():
    with pytest.raises(YamlFileError) as raised:
        parse(b"a: 1\nb: \x07\n")

    assert raised.value.line == 2


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_only_ever_raise_yaml_file_error(data):
    try:
        documents = parse_documents(data, source="fuzz.yaml")
    except YamlFileError:
        return
    assert all((document.data is None) != (document.error is None) for document in documents)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab:-[]{}&*!,'\"?|>#\n\t 01~.<")), max_size=120))
def test_yaml_like_text_only_ever_raises_yaml_file_error(text):
    with contextlib.suppress(YamlFileError):
        parse_documents(text.encode(), source="fuzz.yaml")


@pytest.mark.parametrize("depth", [1_001, 1_500, 50_000])
def test_nesting_past_the_parsers_own_cap_refuses_that_document_only(depth):
    # libyaml 0.2.5 (PyYAML 6.0.4's wheels) gives up past 1,000 flow levels while scanning ahead,
    # before our own limit sees the events: the document is refused the same way, not the file.
    text = "a: 1\n---\nb: " + "[" * depth + "]" * depth + "\n"

    first, deep = parse(text)

    assert first.data == {"a": 1} and first.error is None
    assert (deep.index, deep.line, deep.data) == (1, 2, None)
    assert "nests deeper than 64 levels" in deep.error and "line 3" in deep.error
    assert "the rest of the file was not read" in deep.error


def test_unclosed_deep_flow_nesting_in_a_later_document_keeps_the_earlier_one():
    first, deep = parse(b"a: 1\n---\n" + b"{" * 5_000)

    assert first.data == {"a": 1}
    assert "nests deeper than 64 levels" in deep.error
