"""Checks that every entity must pass whatever its kind: envelope, root fields, metadata.

Backstage runs these as separate steps (envelope schema, entity schema, the
no-foreign-root-fields policy, the field-format policy) and stops at the first
failure. Here each step reports everything it finds, and a field already
reported by a type check is not reported again by the format check.
"""

from __future__ import annotations

from typing import Any

from . import formats
from .errors import FieldError
from .types import json_type

ROOT_FIELDS = ("apiVersion", "kind", "metadata", "spec")

_NAME_RULE = "1-63 characters of [a-zA-Z0-9] with [-_.] allowed between them"
_KEY_RULE = f"<name> or <dns-subdomain>/<name>, the name being {_NAME_RULE}"


def _show(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _is_non_empty_string(value: object) -> bool:
    return isinstance(value, str) and value != ""


def _require_string(errors: list[FieldError], container: dict[Any, Any], key: str, field: str) -> None:
    if key not in container:
        errors.append(FieldError(field, f"{field} is required"))
    elif not _is_non_empty_string(container[key]):
        errors.append(FieldError(field, f"{field} must be a non-empty string"))


def check_envelope(entity: dict[Any, Any]) -> list[FieldError]:
    """The loose first check: apiVersion, kind and metadata.name present as non-empty strings."""
    errors: list[FieldError] = []
    _require_string(errors, entity, "apiVersion", "apiVersion")
    _require_string(errors, entity, "kind", "kind")
    metadata = entity.get("metadata")
    if "metadata" not in entity:
        errors.append(FieldError("metadata", "metadata is required"))
    elif not isinstance(metadata, dict):
        errors.append(FieldError("metadata", f"metadata must be an object, got {json_type(metadata)}"))
    else:
        _require_string(errors, metadata, "name", "metadata.name")
        if "namespace" in metadata and not _is_non_empty_string(metadata["namespace"]):
            errors.append(FieldError("metadata.namespace", "metadata.namespace must be a non-empty string"))
    return errors


def check_root_fields(entity: dict[Any, Any]) -> list[FieldError]:
    """Input entities may hold only apiVersion, kind, metadata and spec; relations and status are output."""
    errors = [FieldError(str(key), f"Unknown field {key}") for key in entity if key not in ROOT_FIELDS]
    if "spec" in entity and not isinstance(entity["spec"], dict):
        errors.append(FieldError("spec", f"spec must be an object, got {json_type(entity['spec'])}"))
    return errors


def _check_string_map(errors: list[FieldError], metadata: dict[Any, Any], key: str) -> None:
    if key not in metadata:
        return
    value = metadata[key]
    field = f"metadata.{key}"
    if not isinstance(value, dict):
        errors.append(FieldError(field, f"{field} must be an object, got {json_type(value)}"))
        return
    for item_key, item_value in value.items():
        if not isinstance(item_value, str):
            errors.append(FieldError(f"{field}.{item_key}", f"{field}.{item_key} must be a string"))


def _check_optional_string(
    errors: list[FieldError], container: dict[Any, Any], key: str, field: str, *, allow_empty: bool = False
) -> None:
    if key not in container:
        return
    value = container[key]
    if not isinstance(value, str):
        errors.append(FieldError(field, f"{field} must be a string"))
    elif not allow_empty and value == "":
        errors.append(FieldError(field, f"{field} must be a non-empty string"))


def check_metadata_types(metadata: dict[Any, Any]) -> list[FieldError]:
    """The types the entity schema gives to the well-known metadata fields."""
    errors: list[FieldError] = []
    for key in ("uid", "etag", "title"):
        _check_optional_string(errors, metadata, key, f"metadata.{key}")
    _check_optional_string(errors, metadata, "description", "metadata.description", allow_empty=True)
    _check_string_map(errors, metadata, "labels")
    _check_string_map(errors, metadata, "annotations")
    if "tags" in metadata:
        tags = metadata["tags"]
        if not isinstance(tags, list):
            errors.append(FieldError("metadata.tags", "metadata.tags must be an array"))
        else:
            for index, tag in enumerate(tags):
                if not _is_non_empty_string(tag):
                    field = f"metadata.tags[{index}]"
                    errors.append(FieldError(field, f"{field} must be a non-empty string"))
    if "links" in metadata:
        links = metadata["links"]
        if not isinstance(links, list):
            errors.append(FieldError("metadata.links", "metadata.links must be an array"))
        else:
            for index, link in enumerate(links):
                field = f"metadata.links[{index}]"
                if not isinstance(link, dict):
                    errors.append(FieldError(field, f"{field} must be an object, got {json_type(link)}"))
                    continue
                _require_string(errors, link, "url", f"{field}.url")
                for key in ("title", "icon", "type"):
                    _check_optional_string(errors, link, key, f"{field}.{key}")
    return errors


def check_field_formats(entity: dict[Any, Any]) -> list[FieldError]:
    """The format rules of the field-format policy, in its order; values of a wrong type are skipped."""
    errors: list[FieldError] = []
    api_version = entity.get("apiVersion")
    if _is_non_empty_string(api_version) and not formats.is_valid_api_version(api_version):
        errors.append(
            FieldError(
                "apiVersion",
                f"apiVersion {_show(api_version)} is not valid; expected <version> or "
                "<dns-subdomain>/<version>, the version being 1-63 letters and digits",
            )
        )
    kind = entity.get("kind")
    if _is_non_empty_string(kind) and not formats.is_valid_kind(kind):
        errors.append(
            FieldError(
                "kind",
                f"kind {_show(kind)} is not valid; expected a letter followed by letters and digits, "
                "at most 63 characters",
            )
        )
    metadata = entity.get("metadata")
    if not isinstance(metadata, dict):
        return errors
    name = metadata.get("name")
    if _is_non_empty_string(name) and not formats.is_valid_object_name(name):
        errors.append(
            FieldError(
                "metadata.name",
                f"metadata.name {_show(name)} is not valid; expected {_NAME_RULE}, "
                "starting and ending with a letter or digit",
            )
        )
    namespace = metadata.get("namespace")
    if _is_non_empty_string(namespace) and not formats.is_valid_namespace(namespace):
        errors.append(
            FieldError(
                "metadata.namespace",
                f"metadata.namespace {_show(namespace)} is not valid; expected a lowercase DNS label: "
                "1-63 characters of [a-z0-9] with dashes allowed between them",
            )
        )
    _check_map_formats(errors, metadata, "labels", "label")
    _check_map_formats(errors, metadata, "annotations", "annotation")
    tags = metadata.get("tags")
    if isinstance(tags, list):
        for index, tag in enumerate(tags):
            if _is_non_empty_string(tag) and not formats.is_valid_tag(tag):
                errors.append(
                    FieldError(
                        f"metadata.tags[{index}]",
                        f"tag {_show(tag)} is not valid; expected 1-63 characters of [a-z0-9:+#] "
                        "in groups joined by single dashes",
                    )
                )
    links = metadata.get("links")
    if isinstance(links, list):
        for index, link in enumerate(links):
            if isinstance(link, dict):
                _check_link_formats(errors, link, f"metadata.links[{index}]")
    return errors


def _check_map_formats(errors: list[FieldError], metadata: dict[Any, Any], key: str, noun: str) -> None:
    mapping = metadata.get(key)
    if not isinstance(mapping, dict):
        return
    for item_key, item_value in mapping.items():
        field = f"metadata.{key}.{item_key}"
        if not formats.is_valid_label_key(item_key):
            errors.append(FieldError(field, f"{noun} key {_show(item_key)} is not valid; expected {_KEY_RULE}"))
        if noun == "label" and isinstance(item_value, str) and not formats.is_valid_label_value(item_value):
            errors.append(
                FieldError(
                    field,
                    f"label value {_show(item_value)} is not valid; expected an empty string or "
                    f"{_NAME_RULE}, starting and ending with a letter or digit",
                )
            )


def _check_link_formats(errors: list[FieldError], link: dict[Any, Any], field: str) -> None:
    url = link.get("url")
    if _is_non_empty_string(url) and not formats.is_absolute_url(url):
        errors.append(FieldError(f"{field}.url", f"{field}.url {_show(url)} is not an absolute URL"))
    for key in ("title", "icon"):
        value = link.get(key)
        if _is_non_empty_string(value) and not formats.is_non_blank_string(value):
            errors.append(FieldError(f"{field}.{key}", f"{field}.{key} must not be blank"))
