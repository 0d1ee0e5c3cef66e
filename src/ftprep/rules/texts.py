"""Where the text of a record is, by kind: shared by rules that scan every text field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ftprep.core.model import Kind, Record


def message_texts(messages: Any, base: str) -> Iterator[tuple[str, str, str]]:
    """(pointer, text, role) for every string content in a list of messages."""
    if not isinstance(messages, list):
        return
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        role = role if isinstance(role, str) else ""
        content = message.get("content")
        if isinstance(content, str):
            yield f"{base}/{i}/content", content, role
        elif isinstance(content, list):
            for j, part in enumerate(content):
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    yield f"{base}/{i}/content/{j}/text", part["text"], role


def record_texts(record: Record) -> list[tuple[str, str, str]]:
    """(pointer, text, role) for every trainable text of a record, computed once per record."""
    texts = record.texts
    if texts is None:
        texts = record.texts = list(_iter_texts(record))
    return texts


_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_LOWER = bytes(range(ord("a"), ord("z") + 1))
# ASCII control characters other than tab, newline and carriage return.
_CONTROLS = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_PROFILE_TABLE = bytes.maketrans(_UPPER + _LOWER + _CONTROLS, b"U" * 26 + b"l" * 26 + b"C" * 30)
_PROFILE_DROP = bytes(b for b in range(256) if b not in _UPPER + _LOWER + _CONTROLS)


def ascii_profile(text: str) -> tuple[int, int, int] | None:
    """(uppercase letters, lowercase letters, control characters) of an ASCII text.

    One C-speed ``translate`` serves several rules; ``None`` for non-ASCII text, which the
    rules handle with their own (slower) Unicode-aware checks.
    """
    if not text.isascii():
        return None
    marks = text.encode("ascii").translate(_PROFILE_TABLE, _PROFILE_DROP)
    upper = marks.count(b"U")
    controls = marks.count(b"C") if b"C" in marks else 0
    return upper, len(marks) - upper - controls, controls


def record_profiles(record: Record) -> list[tuple[int, int, int] | None]:
    """The ASCII profile of each of :func:`record_texts`, in the same order."""
    profiles = record.profiles
    if profiles is None:
        profiles = record.profiles = [ascii_profile(t) for _, t, _ in record_texts(record)]
    return profiles


def _iter_texts(record: Record) -> Iterator[tuple[str, str, str]]:
    """(pointer, text, role) for every trainable text of a record.

    The role is ``prompt``/``completion`` for completion records and the message role
    otherwise, so rules can treat what the model sees and what it learns differently.
    """
    data = record.data
    if record.kind is Kind.COMPLETION:
        prompt, completion = data.get("prompt"), data.get("completion")
        if isinstance(prompt, str):
            yield "/prompt", prompt, "prompt"
        if isinstance(completion, str):
            yield "/completion", completion, "completion"
    elif record.kind is Kind.CHAT:
        yield from message_texts(data.get("messages"), "/messages")
    else:
        inp = data.get("input")
        if isinstance(inp, dict):
            yield from message_texts(inp.get("messages"), "/input/messages")
        yield from message_texts(data.get("preferred_output"), "/preferred_output")
        yield from message_texts(data.get("non_preferred_output"), "/non_preferred_output")


def messages_of(record: Record) -> list[Any] | None:
    """The conversation of a chat record, or the input conversation of a preference record."""
    data = record.data
    if record.kind is Kind.CHAT:
        m = data.get("messages")
    else:
        inp = data.get("input")
        m = inp.get("messages") if isinstance(inp, dict) else None
    return m if isinstance(m, list) else None


def messages_base(record: Record) -> str:
    return "/messages" if record.kind is Kind.CHAT else "/input/messages"


_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\\": "\\\\"}


def _visible(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isprintable() and ch != "\u00a0":
        return ch
    return f"\\u{ord(ch):04x}"


def show(text: str, limit: int = 40) -> str:
    """A short, visible rendering of a text for messages (escapes, cut in the middle)."""
    shown = "".join(_visible(ch) for ch in text).replace("`", "\\`")
    if len(shown) > limit:
        half = limit // 2 - 2
        shown = shown[:half] + " … " + shown[-half:]
    return f"`{shown}`"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
