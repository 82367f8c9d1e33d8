"""An AsyncAPI document (2.x or 3.x) as a list of its channels, operations and messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .schemas import SchemaBuilder, SchemaNode, ref_name, resolve_pointer, text

MAX_ITEMS = 300


@dataclass
class Message:
    name: str
    title: str
    summary: str
    payload: SchemaNode | None


@dataclass
class AsyncOperation:
    action: str
    channel: str
    summary: str
    messages: list[str] = field(default_factory=list)


@dataclass
class Channel:
    name: str
    address: str
    description: str
    operations: list[AsyncOperation] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


@dataclass
class AsyncApiOutline:
    version: str
    title: str
    api_version: str
    description: str
    servers: list[tuple[str, str, str]]
    channels: list[Channel]
    messages: list[Message]


def is_asyncapi(data: dict[str, Any]) -> bool:
    return isinstance(data.get("asyncapi"), str)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class AsyncApiReader:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.schemas = SchemaBuilder(document, max_depth=4)
        self.version = text(document.get("asyncapi"), 20)

    def _deref(self, value: Any) -> tuple[str, dict[str, Any]]:
        """A (name, mapping) for an inline value or a local reference (name is empty when inline)."""
        if isinstance(value, dict) and isinstance(value.get("$ref"), str):
            ref = value["$ref"]
            return ref_name(ref), _mapping(resolve_pointer(self.document, ref))
        return "", _mapping(value)

    def outline(self) -> AsyncApiOutline:
        document = self.document
        info = _mapping(document.get("info"))
        return AsyncApiOutline(
            version=self.version,
            title=text(info.get("title"), 300),
            api_version=text(info.get("version"), 100),
            description=text(info.get("description"), 10_000),
            servers=self._servers(),
            channels=self._channels(),
            messages=self._messages(),
        )

    def _servers(self) -> list[tuple[str, str, str]]:
        servers = []
        for name, server in list(_mapping(self.document.get("servers")).items())[:20]:
            server = _mapping(server)
            where = text(server.get("url") or server.get("host"), 500) + text(server.get("pathname"), 300)
            servers.append((str(name), where, text(server.get("protocol"), 40)))
        return servers

    def _channels(self) -> list[Channel]:
        channels: dict[str, Channel] = {}
        for key, raw in list(_mapping(self.document.get("channels")).items())[:MAX_ITEMS]:
            _, value = self._deref(raw)
            address = text(value.get("address"), 500) if "address" in value else str(key)
            channel = Channel(str(key), address, text(value.get("description"), 2000))
            for action in ("publish", "subscribe"):  # AsyncAPI 2: operations live on channels
                if isinstance(value.get(action), dict):
                    operation = value[action]
                    channel.operations.append(
                        AsyncOperation(action, str(key), text(operation.get("summary"), 300), self._names(operation))
                    )
            # AsyncAPI 3: a channel names the messages it carries.
            channel.messages = [
                self._deref(message)[0] or str(name)
                for name, message in list(_mapping(value.get("messages")).items())[:50]
            ]
            channels[str(key)] = channel
        # AsyncAPI 3: operations are top-level and point at their channel.
        for key, raw in list(_mapping(self.document.get("operations")).items())[:MAX_ITEMS]:
            _, operation = self._deref(raw)
            channel_ref = _mapping(operation.get("channel")).get("$ref")
            channel_key = ref_name(channel_ref) if isinstance(channel_ref, str) else ""
            entry = AsyncOperation(
                text(operation.get("action"), 20) or "operation",
                channel_key,
                text(operation.get("summary") or operation.get("title") or key, 300),
                self._names(operation),
            )
            channels.setdefault(channel_key, Channel(channel_key, channel_key, "")).operations.append(entry)
        return list(channels.values())

    def _names(self, operation: dict[str, Any]) -> list[str]:
        """Names of the messages an operation carries (one ``message`` in v2, ``messages`` in v3)."""
        raw = operation.get("messages") if isinstance(operation.get("messages"), list) else [operation.get("message")]
        names = []
        for item in raw[:50]:
            if not isinstance(item, dict):
                continue
            if isinstance(item.get("oneOf"), list):
                names += [
                    self._deref(option)[0] or text(_mapping(option).get("name"), 100) for option in item["oneOf"][:50]
                ]
            else:
                name, value = self._deref(item)
                names.append(name or text(value.get("name") or value.get("title"), 100) or "message")
        return [name for name in names if name]

    def _messages(self) -> list[Message]:
        components = _mapping(self.document.get("components"))
        messages = []
        for name, raw in list(_mapping(components.get("messages")).items())[:MAX_ITEMS]:
            _, value = self._deref(raw)
            payload = value.get("payload")
            messages.append(
                Message(
                    str(name),
                    text(value.get("title"), 300),
                    text(value.get("summary") or value.get("description"), 1000),
                    self.schemas.build(payload) if isinstance(payload, dict) else None,
                )
            )
        return messages


def read_asyncapi(document: dict[str, Any]) -> AsyncApiOutline:
    return AsyncApiReader(document).outline()
