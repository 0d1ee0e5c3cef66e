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
        texts = record.texts = (
            _completion_texts(record)
            if record.kind is Kind.COMPLETION
            else list(_iter_texts(record))
        )
    return texts


def _completion_texts(record: Record) -> list[tuple[str, str, str]]:
    """The prompt and completion, built directly (the commonest case, without a generator)."""
    data = record.data
    prompt, completion = data.get("prompt"), data.get("completion")
    texts = []
    if isinstance(prompt, str):
        texts.append(("/prompt", prompt, "prompt"))
    if isinstance(completion, str):
        texts.append(("/completion", completion, "completion"))
    return texts


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


def collapse_runs(text: str) -> str:
    """Every run of spaces, tabs and line breaks becomes one space.

    A few C-speed ``replace`` passes: ``str.split`` would build a list of every word.
    """
    if "\n" in text:
        text = text.replace("\n", " ")
    if "\t" in text:
        text = text.replace("\t", " ")
    if "\r" in text:
        text = text.replace("\r", " ")
    first = text.find("  ")
    if first < 0:
        return text
    # Spaces are everywhere, so searching for two is slow: collapse only from the first
    # pair on (a prompt's runs are usually in its separator, at the end).
    rest = text[first:]
    while "  " in rest:
        rest = rest.replace("  ", " ")
    return text[:first] + rest


def record_profiles(record: Record) -> list[tuple[int, int, int, int] | None]:
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
        yield from _completion_texts(record)
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


_QUESTION_ROLES = ("user", "prompt")
_ANSWER_ROLES = ("assistant", "completion")


def comparable_text(record: Record) -> str:
    """What near-duplicate detection compares: the conversation without its system prompt.

    A long system prompt shared by every record would otherwise make unrelated records look
    alike; a record holding nothing but a system prompt is compared on it.
    """
    texts = record_texts(record)
    body = [t for _, t, role in texts if role != "system" and t]
    return "\n".join(body or [t for _, t, _ in texts])


def question_and_answer(record: Record) -> tuple[str, str]:
    """All user (prompt) text and all assistant (completion) text of a record."""
    question: list[str] = []
    answer: list[str] = []
    for pointer, text, role in record_texts(record):
        if role in _QUESTION_ROLES:
            question.append(text)
        elif role in _ANSWER_ROLES and not pointer.startswith("/non_preferred_output"):
            answer.append(text)
    return "\n".join(question), "\n".join(answer)


def context_and_label(record: Record) -> tuple[str, str, str] | None:
    """(context, label, label pointer): what the model sees and the answer it learns.

    Completion records: the prompt and the completion. Chat records: every message before
    the final assistant message, and that message (the label of chat classification).
    Preference records have no single label.
    """
    data = record.data
    if record.kind is Kind.COMPLETION:
        prompt, completion = data.get("prompt"), data.get("completion")
        if isinstance(prompt, str) and isinstance(completion, str):
            return prompt, completion, "/completion"
        return None
    if record.kind is not Kind.CHAT:
        return None
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        return None
    last = messages[-1]
    if not isinstance(last, dict) or last.get("role") != "assistant":
        return None
    content = last.get("content")
    if not isinstance(content, str):
        return None
    before = [m for m in messages[:-1] if isinstance(m, dict)]
    if all(m.get("role") == "system" for m in before):
        return "", content, f"/messages/{len(messages) - 1}/content"  # no prompt to compare
    context = "\x1e".join(f"{m.get('role')}\x1f{m.get('content')}" for m in before)
    return context, content, f"/messages/{len(messages) - 1}/content"
