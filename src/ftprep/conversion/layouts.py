"""Recognising common dataset layouts from their keys, and turning them into records.

Each layout is a function from one raw row to a record's data, or a (code, message) pair
saying why the row cannot be converted. Functions are module-level so converters pickle
into worker processes.
"""

from __future__ import annotations

from typing import Any

import orjson

from ftprep.conversion.mapping import normalise_column
from ftprep.core.reasons import Reason

SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "bot": "assistant",
    "model": "assistant",
    "chatgpt": "assistant",
    "system": "system",
    "function_call": "assistant",
    "observation": "tool",
    "tool": "tool",
    "function": "tool",
}


def _keys(row: dict[str, Any]) -> dict[str, str]:
    return {normalise_column(k): k for k in row}


def _first(keys: dict[str, str], *names: str) -> str | None:
    for name in names:
        if name in keys:
            return keys[name]
    return None


def detect_layout(row: Any) -> tuple[str, dict[str, str]]:
    """(layout name, role -> key) for a sample row; ("unknown", {}) when nothing fits."""
    if not isinstance(row, dict):
        return "unknown", {}
    if "messages" in row and isinstance(row["messages"], list):
        if any(_llamafactory_turn(m) for m in row["messages"]):
            return "llamafactory-messages", {}
        return "chat", {}
    if "preferred_output" in row or "non_preferred_output" in row:
        return "preference", {}
    if "prompt" in row and "completion" in row:
        return "prompt-completion", {}
    keys = _keys(row)
    conv = _first(keys, "conversations", "conversation")
    if conv is not None and isinstance(row[conv], list):
        roles = {"conversations": conv}
        chosen, rejected = _first(keys, "chosen"), _first(keys, "rejected")
        if chosen and rejected:
            return "sharegpt-preference", {**roles, "chosen": chosen, "rejected": rejected}
        return "sharegpt", roles
    prompt = _first(keys, "prompt", "question", "query", "input", "instruction")
    chosen, rejected = _first(keys, "chosen"), _first(keys, "rejected")
    if prompt and chosen and rejected:
        return "prompt-chosen-rejected", {"prompt": prompt, "chosen": chosen, "rejected": rejected}
    instruction = _first(keys, "instruction")
    output = _first(keys, "output", "response", "answer")
    if instruction and output:
        roles = {"instruction": instruction, "output": output}
        extra = _first(keys, "input", "context")
        if extra:
            roles["input"] = extra
        system = _first(keys, "system")
        if system:
            roles["system"] = system
        return "alpaca", roles
    question = _first(keys, "question", "query", "prompt", "input", "q")
    answer = _first(keys, "answer", "response", "completion", "output", "reply", "a")
    if question and answer:
        return "question-answer", {"prompt": question, "completion": answer}
    text = _first(keys, "text", "sentence", "content", "utterance", "message", "review")
    label = _first(keys, "label", "category", "class", "intent", "sentiment")
    if text and label and as_text(row[label]) is not None and as_text(row[text]) is not None:
        return "text-label", {"prompt": text, "completion": label}
    return "unknown", {}


# Message shapes of LLaMA-Factory's ``messages`` layouts that no OpenAI-style trainer reads.
_LLAMAFACTORY_ROLES = frozenset({"function_call", "observation", "human", "gpt"})


def _llamafactory_turn(message: Any) -> bool:
    """A message written the LLaMA-Factory way: its roles, ``loss_weight``, or content
    parts holding ``value`` where OpenAI's hold ``text``."""
    if not isinstance(message, dict):
        return False
    if message.get("role") in _LLAMAFACTORY_ROLES or "loss_weight" in message:
        return True
    content = message.get("content")
    return isinstance(content, list) and any(
        isinstance(p, dict) and "value" in p and "text" not in p for p in content
    )


def llamafactory_messages(messages: Any) -> list[dict[str, Any]] | tuple[str, str]:
    """LLaMA-Factory ``messages`` as OpenAI messages: its roles (function_call and
    observation become tool calls and tool results), text parts as text, and
    ``loss_weight`` as the assistant's ``weight`` (other roles are never trained)."""
    if not isinstance(messages, list):
        return (Reason.MISSING_MESSAGES.code, "`messages` is not a list")
    turns, weights = [], []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            return (Reason.MISSING_MESSAGES.code, f"message {i} is not an object")
        content = message.get("content")
        if isinstance(content, list):
            texts = []
            for part in content:
                kind = part.get("type") if isinstance(part, dict) else None
                if kind != "text":
                    return (
                        Reason.INVALID_CONTENT_PART.code,
                        f"message {i} has a {kind or 'malformed'} part; only text parts convert "
                        "(images and audio need the trainer's own multimodal format)",
                    )
                texts.append(as_text(part.get("text", part.get("value"))) or "")
            content = "".join(texts)
        turns.append({"from": message.get("role"), "value": content})
        weights.append(message.get("loss_weight"))
    converted = sharegpt_messages(turns)
    if isinstance(converted, tuple):
        return converted
    for message, weight in zip(converted, weights, strict=True):
        if message["role"] == "assistant" and weight is not None and not weight:
            message["weight"] = 0
    return converted


def as_text(value: Any) -> str | None:
    """Cell text: strings as written, numbers and booleans as JSON shows them."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)  # exact at any size; orjson stops at 64 bits
    if isinstance(value, float):
        return orjson.dumps(value).decode()
    return None


def sharegpt_messages(turns: Any) -> list[dict[str, Any]] | tuple[str, str]:
    """ShareGPT ``{from, value}`` turns as OpenAI messages, tool calls included."""
    if not isinstance(turns, list):
        return (Reason.MISSING_MESSAGES.code, "`conversations` is not a list")
    messages: list[dict[str, Any]] = []
    call_ids: list[str] = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict):
            return (Reason.MISSING_MESSAGES.code, f"conversation turn {i} is not an object")
        source = turn.get("from", turn.get("role"))
        value = turn.get("value", turn.get("content"))
        role = SHAREGPT_ROLES.get(str(source).lower()) if source is not None else None
        if role is None:
            return (
                Reason.UNRECOGNIZED_ROLE.code,
                f"turn {i} has role {source!r}, which ShareGPT conversion does not know",
            )
        text = as_text(value)
        if text is None:
            return (Reason.NON_STRING_VALUE.code, f"turn {i} value is not text")
        if source == "function_call":
            try:
                call = orjson.loads(text)
            except orjson.JSONDecodeError:
                return (Reason.INVALID_TOOL_CALL.code, f"turn {i}: function_call value is not JSON")
            calls = call if isinstance(call, list) else [call]
            tool_calls = []
            for c in calls:
                if not isinstance(c, dict) or "name" not in c:
                    return (Reason.INVALID_TOOL_CALL.code, f"turn {i}: function_call has no name")
                call_id = f"call_{len(call_ids) + 1}"
                call_ids.append(call_id)
                args = c.get("arguments", {})
                tool_calls.append(
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {
                            "name": c["name"],
                            "arguments": args
                            if isinstance(args, str)
                            else orjson.dumps(args).decode(),
                        },
                    }
                )
            messages.append({"role": "assistant", "content": None, "tool_calls": tool_calls})
        elif role == "tool":
            message: dict[str, Any] = {"role": "tool", "content": text}
            if call_ids:
                message["tool_call_id"] = call_ids[-1]
            messages.append(message)
        else:
            messages.append({"role": role, "content": text})
    return messages


def sharegpt_tools(value: Any) -> list[dict[str, Any]] | None:
    if value in (None, "", []):
        return None
    if isinstance(value, str):
        try:
            value = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
    if not isinstance(value, list):
        return None
    tools = []
    for fn in value:
        if isinstance(fn, dict) and "type" in fn and "function" in fn:
            tools.append(fn)
        elif isinstance(fn, dict):
            tools.append({"type": "function", "function": fn})
    return tools or None


def is_turns(value: Any) -> bool:
    """Whether a value is a conversation: a list of turns with a role (or from) and text."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(t, dict)
            and ("role" in t or "from" in t)
            and ("content" in t or "value" in t)
            for t in value
        )
    )


def _prose(value: Any) -> bool:
    """Text a person wrote (words), not an id, a code or a category."""
    return isinstance(value, str) and len(value) >= 10 and " " in value.strip()


def _text_pointers(value: Any, base: str, depth: int = 0) -> list[str]:
    """JSON pointers to the prose nested in a value (a few levels deep)."""
    if depth and _prose(value):
        return [base]
    if depth >= 3:
        return []
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value[:2])]
    else:
        return []
    return [p for k, v in items for p in _text_pointers(v, f"{base}/{k}", depth + 1)]


_TEXT_NAMES = ("text", "content", "value", "output", "answer", "response", "prompt", "question")


def _by_name(names: list[str]) -> list[str]:
    """Names that say they hold text first (``/replies/0/text`` before ``/replies/0/id``)."""
    return sorted(names, key=lambda n: not n.rsplit("/", 1)[-1].lower().endswith(_TEXT_NAMES))


_QUESTION_WORDS = ("question", "prompt", "query", "instruction", "input", "text", "utterance")
_ANSWER_WORDS = ("answer", "response", "reply", "completion", "output", "label", "target")


def _named_pair(columns: list[str]) -> tuple[str, str] | None:
    """A question-like and an answer-like column, by their names (``question_en``...)."""

    def first(words: tuple[str, ...]) -> str | None:
        for word in words:
            for column in columns:
                if word in str(column).lower():
                    return column
        return None

    question, answer = first(_QUESTION_WORDS), first(_ANSWER_WORDS)
    return (question, answer) if question and answer and question != answer else None


def mapping_hint(sample: Any, columns: list[str]) -> str:
    """Candidate ``--map`` arguments for what a sample row's columns hold."""
    generic = (
        "Map them, e.g. --map prompt=COLUMN --map completion=COLUMN (or --map user=... --map "
        "assistant=... for chat; --to preference with --map chosen=... --map rejected=...)"
    )
    if not isinstance(sample, dict):
        return generic
    conversations = [c for c in columns if is_turns(sample.get(c))]
    if len(conversations) >= 2:
        chosen = next((c for c in conversations if "chosen" in c.lower()), conversations[0])
        rejected = next(
            (c for c in conversations if "reject" in c.lower() and c != chosen),
            next(c for c in conversations if c != chosen),
        )
        return (
            f"Columns {chosen!r} and {rejected!r} hold whole conversations: for preference data "
            f"use --to preference --map chosen={chosen} --map rejected={rejected} (their shared "
            "start becomes the prompt)"
        )
    by_name = _named_pair(columns)
    if by_name is not None and not any(sample.get(c) for c in columns):
        # A table's header names its columns; a record's values say more than its keys.
        return (
            f"Candidates by name: --map prompt={by_name[0]} --map completion={by_name[1]} (or "
            f"--map user={by_name[0]} --map assistant={by_name[1]} for chat)"
        )
    texts = _by_name([c for c in columns if _prose(sample.get(c))])
    nested = _by_name([p for c in columns for p in _text_pointers(sample.get(c), "/" + c)])
    found = [*texts, *nested]
    if len(found) >= 2:
        where = (
            f" (text found at {', '.join(found[:5])}; a JSON pointer reaches inside nested values)"
        )
        return (
            f"Candidates: --map user={found[0]} --map assistant={found[1]}{where}; --to "
            "completion for prompt/completion records"
        )
    if found:
        return (
            f"Only {found[0]} holds text: map it with --map prompt={found[0]} and give the "
            "answers a column (--map completion=COLUMN); without answers there is nothing to train"
        )
    return generic
