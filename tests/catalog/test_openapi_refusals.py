"""Hostile ``$ref``s in ``$openapi`` definitions: each refused with the file and the reference named."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalog.formats.readers import ReaderPolicy, read_location
from catalog.services.placeholders import resolve_placeholders

HEAD = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n"


@pytest.fixture
def bundle(write_file, tmp_path):
    """Write ``files`` beside a descriptor and resolve ``{$openapi: ./openapi.yaml}`` next to it."""

    def run(files: dict[str, str], key: str = "$openapi", target: str = "./openapi.yaml"):
        for name, text in files.items():
            write_file(name, text)
        policy = ReaderPolicy(cache_dir=tmp_path / "cache")
        (source,) = read_location("file", str(write_file("catalog-info.yaml", "kind: API\n")), policy).files
        resolved, errors = resolve_placeholders({"spec": {"definition": {key: target}}}, source, policy)
        return resolved["spec"]["definition"], [(error.level, error.field, error.message) for error in errors]

    return run


def root_of(tmp_path: Path) -> Path:
    return tmp_path / "catalog"


def refusal(root: Path, where: str, ref: str, reason: str) -> tuple[str, str, str]:
    message = f"$openapi placeholder ./openapi.yaml: file:{root}/{where}: $ref {ref}: {reason}"
    return ("error", "spec.definition", message)


@pytest.mark.parametrize(
    ("document", "files", "where", "ref", "reason"),
    [
        pytest.param(
            "paths: {/x: {$ref: '../../etc/passwd'}}",
            {},
            "openapi.yaml (paths./x)",
            "../../etc/passwd",
            "Refused target '../../etc/passwd': it leaves the location root {root}",
            id="leaves-the-folder",
        ),
        pytest.param(
            "paths: {/x: {$ref: /etc/passwd}}",
            {},
            "openapi.yaml (paths./x)",
            "/etc/passwd",
            "Refused target '/etc/passwd': absolute paths may not be reached from {root}",
            id="absolute-path",
        ),
        pytest.param(
            "paths: {/x: {get: {parameters: [{$ref: ./nope.yaml#/Id}]}}}",
            {},
            "openapi.yaml (paths./x.get.parameters[0])",
            "./nope.yaml#/Id",
            "File {root}/nope.yaml not found",
            id="missing-file",
        ),
        pytest.param(
            "components: {schemas: {P: {$ref: './s.yaml#Pet'}}}",
            {"s.yaml": "Pet: {}\n"},
            "openapi.yaml (components.schemas.P)",
            "./s.yaml#Pet",
            "the fragment #Pet of file:{root}/s.yaml is not a JSON pointer (it must start with '/')",
            id="fragment-not-a-pointer",
        ),
        pytest.param(
            "paths: {/x: {$ref: './*.yaml'}}",
            {},
            "openapi.yaml (paths./x)",
            "./*.yaml",
            "a reference names one file, not a pattern",
            id="pattern",
        ),
        pytest.param(
            "components: {schemas: {P: {$ref: ./p.yaml}}}",
            {"p.yaml": "properties: {e: {$ref: './openapi.yaml#/components/schemas/Gone'}}\n"},
            "p.yaml (properties.e)",
            "./openapi.yaml#/components/schemas/Gone",
            "nothing at #/components/schemas/Gone in file:{root}/openapi.yaml",
            id="pointer-back-to-the-root-at-nothing",
        ),
    ],
)
def test_a_bad_reference_is_refused_naming_the_file_and_the_reference(
    bundle, tmp_path, document, files, where, ref, reason
):
    root = root_of(tmp_path)
    value, errors = bundle({"openapi.yaml": HEAD + document + "\n", **files})

    assert value is None
    assert errors == [refusal(root, where, ref, reason.format(root=root))]


def test_a_symbolic_link_out_of_the_folder_is_refused(bundle, tmp_path):
    root = root_of(tmp_path)
    outside = tmp_path / "outside.yaml"
    outside.write_text("secret: value\n")
    (root / "schemas").mkdir(parents=True)
    (root / "schemas" / "pet.yaml").symlink_to(outside)

    value, errors = bundle({"openapi.yaml": HEAD + "components: {schemas: {Pet: {$ref: ./schemas/pet.yaml}}}\n"})

    assert value is None
    real_root = root.resolve()
    reason = f"Refused {root}/schemas/pet.yaml: a symbolic link leads outside the location root {real_root}"
    assert errors == [refusal(root, "openapi.yaml (components.schemas.Pet)", "./schemas/pet.yaml", reason)]


def test_a_yaml_tag_in_a_referenced_file_is_refused(bundle, tmp_path):
    root = root_of(tmp_path)
    value, errors = bundle(
        {
            "openapi.yaml": HEAD + "components: {schemas: {P: {$ref: ./s.yaml}}}\n",
            "s.yaml": "type: !!python/object:os.system echo\n",
        }
    )

    assert value is None
    ((level, _, message),) = errors
    assert level == "error"
    assert message.startswith(f"$openapi placeholder ./openapi.yaml: file:{root}/openapi.yaml (components.schemas.P)")
    assert f"$ref ./s.yaml: file:{root}/s.yaml: YAML error: " in message and "python/object" in message


def test_an_alias_bomb_in_a_referenced_file_is_refused_quickly(bundle, tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    value, errors = bundle(
        {"openapi.yaml": HEAD + "components: {schemas: {P: {$ref: ./bomb.yaml}}}\n", "bomb.yaml": "\n".join(lines)}
    )

    assert value is None
    ((level, _, message),) = errors
    assert level == "error" and f"file:{root_of(tmp_path)}/bomb.yaml: YAML error:" in message


def test_a_cycle_of_path_items_is_an_error(bundle, tmp_path):
    root = root_of(tmp_path)
    value, errors = bundle(
        {
            "openapi.yaml": HEAD + "paths: {/a: {$ref: ./a.yaml}}\n",
            "a.yaml": "$ref: ./b.yaml\n",
            "b.yaml": "$ref: ./a.yaml\n",
        }
    )

    assert value is None
    chain = f"file:{root}/a.yaml# -> file:{root}/b.yaml# -> file:{root}/a.yaml#"
    assert errors == [refusal(root, "b.yaml (the document)", "./a.yaml", f"it forms a cycle: {chain}")]


def test_a_chain_of_path_items_deeper_than_the_limit_is_an_error(bundle, tmp_path):
    files = {f"p{i}.yaml": f"$ref: ./p{i + 1}.yaml\n" for i in range(40)}
    value, errors = bundle({"openapi.yaml": HEAD + "paths: {/a: {$ref: ./p0.yaml}}\n", **files})

    assert value is None
    ((_, _, message),) = errors
    root = root_of(tmp_path)
    assert f"file:{root}/p31.yaml (the document): $ref ./p32.yaml: more than 32 references deep: " in message
    assert message.endswith(f"file:{root}/p30.yaml# -> file:{root}/p31.yaml# -> file:{root}/p32.yaml#")


def test_more_than_a_hundred_files_is_an_error(bundle, tmp_path):
    root = root_of(tmp_path)
    files = {f"s{i}.yaml": f"properties: {{next: {{$ref: ./s{i + 1}.yaml}}}}\n" for i in range(101)}
    value, errors = bundle({"openapi.yaml": HEAD + "components: {schemas: {S: {$ref: ./s0.yaml}}}\n", **files})

    assert value is None
    reason = "reading it would take more than 100 files"
    assert errors == [
        (
            "error",
            "spec.definition",
            f"$openapi placeholder ./openapi.yaml: file:{root}/s99.yaml (properties.next): $ref ./s100.yaml: {reason}",
        )
    ]


def test_a_hundred_files_are_read(bundle):
    files = {f"s{i}.yaml": f"properties: {{next: {{$ref: ./s{i + 1}.yaml}}}}\n" for i in range(99)}
    files["s99.yaml"] = "type: string\n"
    value, errors = bundle({"openapi.yaml": HEAD + "components: {schemas: {S: {$ref: ./s0.yaml}}}\n", **files})

    assert errors == []
    assert value.count("$ref: '#/components/schemas/s") == 99


def test_http_and_other_hosts_are_not_followed_and_the_ref_stays(bundle, tmp_path):
    root = root_of(tmp_path)
    value, errors = bundle(
        {
            "openapi.yaml": HEAD + "components:\n  schemas:\n    A: {$ref: 'http://example.com/a.yaml'}\n"
            "    B: {$ref: 'https://example.com/b.yaml#/B'}\n    C: {$ref: 'file:///etc/passwd'}\n"
        }
    )

    assert "$ref: http://example.com/a.yaml" in value and "$ref: https://example.com/b.yaml#/B" in value
    prefix = f"$openapi placeholder: file:{root}/openapi.yaml (components.schemas."
    only_https = "only https:// references on a host with an integration are fetched"
    assert errors == [
        ("warning", "spec.definition", f"{prefix}A): $ref http://example.com/a.yaml was not followed: {only_https}"),
        (
            "warning",
            "spec.definition",
            f"{prefix}B): $ref https://example.com/b.yaml#/B was not followed: example.com has no integration; "
            "configure one in integrations: of GREENROOM_CONFIG",
        ),
        ("warning", "spec.definition", f"{prefix}C): $ref file:///etc/passwd was not followed: {only_https}"),
    ]


def test_a_password_in_a_reference_is_never_repeated(bundle):
    _, errors = bundle({"openapi.yaml": HEAD + "paths: {/a: {$ref: 'https://me:s3cret-pw@example.com/a.yaml'}}\n"})

    ((level, _, message),) = errors
    assert level == "warning" and "s3cret" not in message
    assert "$ref https://***@example.com/a.yaml was not followed: a URL with a user name or password" in message


def test_a_missing_target_is_reported_as_text_reports_it(bundle, tmp_path):
    value, errors = bundle({}, target="./gone.yaml")

    assert value is None
    assert errors == [
        ("error", "spec.definition", f"$openapi placeholder: File {root_of(tmp_path)}/gone.yaml not found")
    ]


def test_a_target_that_is_not_yaml_is_named(bundle, tmp_path):
    value, errors = bundle({"openapi.yaml": "openapi: [unclosed\n"})

    assert value is None
    ((level, _, message),) = errors
    assert level == "error"
    assert message.startswith(f"$openapi placeholder ./openapi.yaml: file:{root_of(tmp_path)}/openapi.yaml line ")


def test_without_a_file_the_asyncapi_placeholder_gets_the_stand_in():
    resolved, errors = resolve_placeholders({"definition": {"$asyncapi": "./asyncapi.yaml"}}, None, None, "url:x")

    assert resolved == {"definition": "Not loaded: ./asyncapi.yaml"}
    assert [(error.level, error.message) for error in errors] == [
        ("warning", "$asyncapi placeholder ./asyncapi.yaml was not loaded: the entity was not read from a file")
    ]
