from __future__ import annotations

from collections.abc import Iterator

import orjson

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.jsontext import json_type
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule


class InvalidToolCall(Rule):
    """## What it does
    Checks assistant `tool_calls` and tool results: `tool_calls` is a list of
    `{id, type: "function", function: {name, arguments}}`; `arguments` is a string holding
    JSON; the function is one of the record's `tools` (when it lists any); every tool message
    answers an earlier call id; no call id is used twice.

    ## Why is this bad?
    Providers reject malformed calls. Arguments given as an object instead of a JSON string,
    or double-encoded, train the model to emit a shape the API will not parse.

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "Weather?"}, {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": {"city": "Oslo"}}}]}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "user", "content": "Weather?"}, {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}}]}]}
    ```

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - finelint tool checks, Kiln-AI/Kiln#102 (double-encoded arguments)
    """

    code = "SC012"
    name = "invalid-tool-call"
    group = "structure"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        messages = record.data.get("messages")
        if not isinstance(messages, list):
            return out
        tools = record.data.get("tools")
        names = None
        if isinstance(tools, list):
            names = {
                t["function"].get("name")
                for t in tools
                if isinstance(t, dict) and isinstance(t.get("function"), dict)
            }
        seen_ids: set[str] = set()
        answered: set[str] = set()
        for i, m in enumerate(messages):
            if not isinstance(m, dict):
                continue
            base = f"/messages/{i}"
            if "tool_calls" in m:
                calls = m["tool_calls"]
                if m.get("role") != "assistant":
                    out.append(
                        Finding(
                            f"`tool_calls` on a {m.get('role')} message",
                            pointer=base + "/tool_calls",
                        )
                    )
                if not isinstance(calls, list):
                    out.append(Finding("`tool_calls` is not a list", pointer=base + "/tool_calls"))
                    continue
                for j, call in enumerate(calls):
                    out.extend(self._check_call(call, f"{base}/tool_calls/{j}", names, seen_ids))
            if m.get("role") == "tool":
                call_id = m.get("tool_call_id")
                if not isinstance(call_id, str):
                    out.append(Finding("tool message has no `tool_call_id`", pointer=base))
                elif call_id not in seen_ids:
                    out.append(
                        Finding(
                            f"tool result for call id {call_id!r}, which no earlier "
                            "assistant message made",
                            pointer=base + "/tool_call_id",
                        )
                    )
                else:
                    answered.add(call_id)
        return out

    def _check_call(
        self, call: object, pointer: str, names: set[str] | None, seen_ids: set[str]
    ) -> Iterator[Finding]:
        if not isinstance(call, dict):
            yield Finding("tool call is not an object", pointer=pointer)
            return
        call_id = call.get("id")
        if not isinstance(call_id, str) or not call_id:
            yield Finding("tool call has no string `id`", pointer=pointer + "/id")
        elif call_id in seen_ids:
            yield Finding(f"call id {call_id!r} is used twice", pointer=pointer + "/id")
        else:
            seen_ids.add(call_id)
        if call.get("type", "function") != "function":
            yield Finding(
                f"tool call type is {call.get('type')!r}, not 'function'", pointer=pointer + "/type"
            )
        fn = call.get("function")
        if not isinstance(fn, dict):
            yield Finding("tool call has no `function` object", pointer=pointer + "/function")
            return
        name = fn.get("name")
        if not isinstance(name, str) or not name:
            yield Finding("tool call has no function name", pointer=pointer + "/function/name")
        elif names is not None and name not in names:
            yield Finding(
                f"call to {name!r}, which is not among the record's tools "
                f"({', '.join(sorted(n for n in names if n)) or 'none'})",
                pointer=pointer + "/function/name",
            )
        args = fn.get("arguments")
        if not isinstance(args, str):
            yield Finding(
                f"`arguments` must be a string holding JSON, not a JSON {json_type(args)}",
                pointer=pointer + "/function/arguments",
            )
            return
        try:
            parsed = orjson.loads(args)
        except orjson.JSONDecodeError as exc:
            yield Finding(
                f"`arguments` is not valid JSON: {exc}", pointer=pointer + "/function/arguments"
            )
            return
        if isinstance(parsed, str):
            yield Finding(
                "`arguments` is JSON-encoded twice (a JSON string holding JSON)",
                pointer=pointer + "/function/arguments",
            )
