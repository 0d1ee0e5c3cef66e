"""Where the text of a record is, by kind: shared by rules that scan every text field."""

from __future__ import annotations

from typing import Any

import orjson

from ftprep.core.batch import Batch
from ftprep.core.comparable import normalize, word_shingled
from ftprep.core.model import Kind, Record
from ftprep.core.pointer import escape
from ftprep.core.texts import Text, record_texts


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


_TEXT_KEYS = frozenset({"prompt", "completion"})
_MESSAGE_TEXT_KEYS = frozenset({"role", "content"})


def other_strings(record: Record) -> list[tuple[str, str]]:
    """(pointer, string) for every string value of a record that is not one of its texts:
    tool-call arguments, tool definitions, metadata fields. Cheap for the common record,
    whose keys are only its texts'."""
    data = record.data
    out: list[tuple[str, str]] = []
    for key, value in data.items():
        if key in _TEXT_KEYS and isinstance(value, str):
            continue
        if key in ("messages", "preferred_output", "non_preferred_output"):
            _message_strings(value, f"/{key}", out)
        elif key == "input" and isinstance(value, dict):
            for k, v in value.items():
                if k == "messages":
                    _message_strings(v, "/input/messages", out)
                else:
                    _walk_strings(v, f"/input/{escape(k)}", out)
        else:
            _walk_strings(value, f"/{escape(str(key))}", out)
    return out


def _message_strings(messages: Any, base: str, out: list[tuple[str, str]]) -> None:
    if not isinstance(messages, list):
        _walk_strings(messages, base, out)
        return
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        for key, value in message.items():
            if key in _MESSAGE_TEXT_KEYS and (key == "role" or not isinstance(value, list)):
                continue
            if key == "content":  # content parts: their texts are texts, the rest is not
                for j, part in enumerate(value):
                    if isinstance(part, dict):
                        for k, v in part.items():
                            if k != "text":
                                _walk_strings(v, f"{base}/{i}/content/{j}/{escape(k)}", out)
                continue
            _walk_strings(value, f"{base}/{i}/{escape(str(key))}", out)


def _walk_strings(value: Any, pointer: str, out: list[tuple[str, str]], depth: int = 0) -> None:
    if isinstance(value, str):
        out.append((pointer, value))
    elif depth < 8 and isinstance(value, dict):
        for k, v in value.items():
            _walk_strings(v, f"{pointer}/{escape(str(k))}", out, depth + 1)
    elif depth < 8 and isinstance(value, list):
        for i, v in enumerate(value):
            _walk_strings(v, f"{pointer}/{i}", out, depth + 1)


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


# Shared text shorter than this is how texts happen to start (`What is`), not boilerplate.
SHARED_MIN_CHARS = 12
# Texts at one pointer needed before their shared start and end count as boilerplate.
SHARED_MIN_TEXTS = 20


def comparable_text(record: Record, shared: dict[str, tuple[str, str]] | None = None) -> str:
    """What near-duplicate detection compares: what varies from record to record.

    The system prompt, and the start and end that every record's text at a pointer shares
    (``shared``, from :func:`shared_text`: a template's fixed words, a fixed instruction),
    would make unrelated records look alike: `Classify: Cmv.` and `Classify: 3.` are not
    near-duplicates. With ``shared`` the texts come in their comparison form
    (:func:`ftprep.core.comparable.normalize`), where the shared words are matched whatever
    their case and punctuation. A record holding nothing but a system prompt is compared
    on it.
    """
    texts = record_texts(record)
    body = _shared_body(texts, shared) if shared else None
    if body is None:
        body = [t for _, t, role in texts if role != "system" and t]
    return "\n".join(body or [t for _, t, _ in texts])


def comparable_form(record: Record, shared: dict[str, tuple[str, str]] | None = None) -> str:
    """``normalize(comparable_text(record, shared))``, what records are shingled from.

    With ``shared`` the pieces already come in comparison form; an ASCII text in that form
    is its own normalisation, so they are joined, not normalised a second time.
    """
    if shared:
        body = _shared_body(record_texts(record), shared)
        if body:
            joined = "\n".join(body)
            return " ".join(b for b in body if b) if joined.isascii() else normalize(joined)
    return normalize(comparable_text(record, shared))


def _shared_body(texts: list[Text], shared: dict[str, tuple[str, str]]) -> list[str]:
    """The non-system texts in comparison form, without the words every record shares."""
    return [_varying(normalize(t), shared.get(p)) for p, t, role in texts if role != "system" and t]


def _varying(norm: str, around: tuple[str, str] | None) -> str:
    """A normalised text without the shared words at its start and end."""
    if around is None:
        return norm
    prefix, suffix = around
    if len(norm) <= len(prefix) + len(suffix):
        return norm
    if prefix and norm.startswith(prefix + " "):
        norm = norm[len(prefix) + 1 :]
    if suffix and norm.endswith(" " + suffix):
        norm = norm[: -len(suffix) - 1]
    return norm


def shared_text(records: list[Record]) -> dict[str, tuple[str, str]]:
    """Per text pointer, the (start, end) words every sampled record's text there shares
    in comparison form, when they are long enough to be boilerplate."""
    by_pointer: dict[str, list[str]] = {}
    for record in records:
        for pointer, text, role in record_texts(record):
            if role != "system":
                by_pointer.setdefault(pointer, []).append(normalize(text))
    out: dict[str, tuple[str, str]] = {}
    for pointer, texts in by_pointer.items():
        if len(texts) < SHARED_MIN_TEXTS:
            continue
        words = [t.split(" ") for t in texts]
        prefix = " ".join(_common_words(words))
        suffix = " ".join(reversed(_common_words([w[::-1] for w in words])))
        prefix = prefix if len(prefix) >= SHARED_MIN_CHARS else ""
        suffix = suffix if len(suffix) >= SHARED_MIN_CHARS else ""
        if prefix or suffix:
            out[pointer] = (prefix, suffix)
    return out


def comparison_basis(records: list[Record]) -> tuple[dict[str, tuple[str, str]], bool]:
    """How a dataset's records are compared, decided from a sample of them: the text they
    share (:func:`shared_text`) and whether they are cut into word shingles."""
    shared = shared_text(records)
    return shared, word_shingled([comparable_text(r, shared) for r in records])


def _common_words(texts: list[list[str]]) -> list[str]:
    """The words every list starts with."""
    first, last = min(texts), max(texts)  # what the extremes share, all of them share
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


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
    tools = data.get("tools")
    if tools:  # the same question with other tools to call is another question
        context += "\x1d" + orjson.dumps(tools, option=orjson.OPT_SORT_KEYS).decode()
    return context, content, f"/messages/{len(messages) - 1}/content"


def collapsed_values(batch: Batch) -> dict[int, str]:
    """Every top-level string value of the batch's records with whitespace runs collapsed,
    by ``id()`` of the value (alive as long as its record): the duplicate and label tallies
    both compare records in this form, so a batch computes it once."""
    found = batch.collapsed
    if found is None:
        # One text at a time: collapse_runs is fastest on a short text (it starts at the
        # first double space, usually near the end), so joining them would cost more.
        found = batch.collapsed = {
            id(v): collapse_runs(v)
            for record in batch.records
            for v in record.data.values()
            if type(v) is str
        }
    return found
