"""RFC 6901 JSON pointers: the address of a value inside a record (``/messages/2/content``)."""

from __future__ import annotations

from typing import Any

_MISSING = object()


def escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join(*tokens: str | int) -> str:
    return "".join("/" + escape(t) for t in tokens)


def split(pointer: str) -> list[str]:
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _step(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        return node.get(token, _MISSING)
    if isinstance(node, list):
        try:
            i = int(token)
        except ValueError:
            return _MISSING
        return node[i] if 0 <= i < len(node) else _MISSING
    return _MISSING


def resolve(doc: Any, pointer: str, default: Any = None) -> Any:
    """The value at ``pointer``, or ``default`` when any step is missing."""
    node = doc
    for token in split(pointer):
        node = _step(node, token)
        if node is _MISSING:
            return default
    return node


def exists(doc: Any, pointer: str) -> bool:
    return resolve(doc, pointer, _MISSING) is not _MISSING


def parent(doc: Any, pointer: str) -> tuple[Any, str] | None:
    """The container holding ``pointer``'s target and the last token, if the path exists."""
    tokens = split(pointer)
    if not tokens:
        return None
    node = doc
    for token in tokens[:-1]:
        node = _step(node, token)
        if node is _MISSING:
            return None
    return node, tokens[-1]


def assign(doc: Any, pointer: str, value: Any) -> bool:
    """Set the value at ``pointer``; False when the path does not exist."""
    found = parent(doc, pointer)
    if found is None:
        return False
    node, token = found
    if isinstance(node, dict):
        node[token] = value
        return True
    if isinstance(node, list):
        i = int(token)
        if 0 <= i < len(node):
            node[i] = value
            return True
    return False
