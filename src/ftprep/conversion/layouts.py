"""Recognising common dataset layouts from their keys, and turning them into records.

Each layout is a function from one raw row to a record's data, or a (code, message) pair
saying why the row cannot be converted. Functions are module-level so converters pickle
into worker processes.
"""

from __future__ import annotations

from typing import Any

import orjson

from ftprep.conversion.mapping import normalise_column

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


def as_text(value: Any) -> str | None:
    """Cell text: strings as written, numbers and booleans as JSON shows them."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return orjson.dumps(value).decode()
    return None


def sharegpt_messages(turns: Any) -> list[dict[str, Any]] | tuple[str, str]:
    """ShareGPT ``{from, value}`` turns as OpenAI messages, tool calls included."""
    if not isinstance(turns, list):
        return ("SC001", "`conversations` is not a list")
    messages: list[dict[str, Any]] = []
    call_ids: list[str] = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict):
            return ("SC001", f"conversation turn {i} is not an object")
        source = turn.get("from", turn.get("role"))
        value = turn.get("value", turn.get("content"))
        role = SHAREGPT_ROLES.get(str(source).lower()) if source is not None else None
        if role is None:
            return (
                "SC004",
                f"turn {i} has role {source!r}, which ShareGPT conversion does not know",
            )
        text = as_text(value)
        if text is None:
            return ("SC017", f"turn {i} value is not text")
        if source == "function_call":
            try:
                call = orjson.loads(text)
            except orjson.JSONDecodeError:
                return ("SC012", f"turn {i}: function_call value is not JSON")
            calls = call if isinstance(call, list) else [call]
            tool_calls = []
            for c in calls:
                if not isinstance(c, dict) or "name" not in c:
                    return ("SC012", f"turn {i}: function_call has no name")
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
