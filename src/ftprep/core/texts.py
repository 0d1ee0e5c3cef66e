"""The texts of a record: where a trainer reads text in each kind of example.

A record's texts are (pointer, text, role) triples: the prompt and completion of a
completion record, every string content of a chat's messages (and of a preference
record's input and outputs). Rules check these texts; the engine indexes them per batch
(:mod:`ftprep.core.text_index`) so that prefilters can rule most records out at C speed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ftprep.core.model import Kind, Record

Text = tuple[str, str, str]  # (pointer, text, role)


def message_texts(messages: Any, base: str) -> Iterator[Text]:
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


def record_texts(record: Record) -> list[Text]:
    """(pointer, text, role) for every trainable text of a record, computed once per record."""
    texts = record.texts
    if texts is None:
        texts = record.texts = (
            _completion_texts(record)
            if record.kind is Kind.COMPLETION
            else list(_iter_texts(record))
        )
    return texts


def _completion_texts(record: Record) -> list[Text]:
    """The prompt and completion, built directly (the commonest case, without a generator)."""
    data = record.data
    prompt, completion = data.get("prompt"), data.get("completion")
    texts = []
    if isinstance(prompt, str):
        texts.append(("/prompt", prompt, "prompt"))
    if isinstance(completion, str):
        texts.append(("/completion", completion, "completion"))
    return texts


def _iter_texts(record: Record) -> Iterator[Text]:
    """(pointer, text, role) for every trainable text of a record.

    The role is ``prompt``/``completion`` for completion records and the message role
    otherwise, so rules can treat what the model sees and what it learns differently.
    """
    data = record.data
    if record.kind is Kind.COMPLETION:
        yield from _completion_texts(record)
    elif record.kind is Kind.CHAT:
        yield from message_texts(data.get("messages"), "/messages")
    else:
        inp = data.get("input")
        if isinstance(inp, dict):
            yield from message_texts(inp.get("messages"), "/input/messages")
        yield from message_texts(data.get("preferred_output"), "/preferred_output")
        yield from message_texts(data.get("non_preferred_output"), "/non_preferred_output")


_UPPER = bytes(range(ord("A"), ord("Z") + 1))
_LOWER = bytes(range(ord("a"), ord("z") + 1))
# ASCII control characters other than tab, newline and carriage return.
_CONTROLS = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
_DIGITS = b"0123456789"
_MARKED = _UPPER + _LOWER + _CONTROLS + _DIGITS
_OTHER = bytes(b for b in range(256) if b not in _MARKED)
# Every byte to its class letter; a plain translate is faster than one that also deletes.
_PROFILE_TABLE = bytes.maketrans(
    _MARKED + _OTHER, b"U" * 26 + b"l" * 26 + b"C" * 30 + b"D" * 10 + b"o" * len(_OTHER)
)


def ascii_profile(text: str) -> tuple[int, int, int, int] | None:
    """(uppercase letters, lowercase letters, control characters, digits) of an ASCII text.

    One C-speed ``translate`` serves several rules; ``None`` for non-ASCII text, which the
    rules handle with their own (slower) Unicode-aware checks.
    """
    if not text.isascii():
        return None
    marks = text.encode("ascii").translate(_PROFILE_TABLE)
    controls = marks.count(b"C") if b"C" in marks else 0
    digits = marks.count(b"D") if b"D" in marks else 0
    return marks.count(b"U"), marks.count(b"l"), controls, digits


def record_profiles(record: Record) -> list[tuple[int, int, int, int] | None]:
    """The ASCII profile of each of :func:`record_texts`, in the same order (computed
    afresh: only the few records a prefilter lets through ask for them)."""
    return [ascii_profile(t) for _, t, _ in record_texts(record)]


# Letters from rarest to most common in English text; punctuation is rarer still.
_LETTERS_BY_RARITY = "zqxjkvbpygfwmucldrhsnioate"


def rarest_char(needle: str) -> str:
    """The character of ``needle`` least likely to occur in prose.

    Searching a text for it first (a one-character search runs at memchr speed, several
    times faster than a substring search) rules most texts out before the full search.
    """

    def rarity(ch: str) -> int:
        if ch.isspace():
            return len(_LETTERS_BY_RARITY)
        lower = ch.lower()
        return _LETTERS_BY_RARITY.index(lower) if lower in _LETTERS_BY_RARITY else -1

    return min(needle, key=rarity, default="")
