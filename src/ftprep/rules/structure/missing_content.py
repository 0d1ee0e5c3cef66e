from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule


class MissingContent(Rule):
    """## What it does
    Reports a chat message without a `content` key, or with `content: null` anywhere except
    on an assistant message that carries `tool_calls` (or a legacy `function_call`).

    ## Why is this bad?
    OpenAI rejects the file; Axolotl crashes with `KeyError: 'content'`.

    ## Example
    ```jsonl
    {"messages": [{"role": "user"}, {"role": "assistant", "content": "Hello"}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    ```

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - axolotl-ai-cloud/axolotl#3917, OpenAI cookbook `missing_content`
    """

    code = "SC005"
    name = "missing-content"
    group = "structure"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        messages = record.data.get("messages")
        if not isinstance(messages, list):
            return out
        for i, m in enumerate(messages):
            if not isinstance(m, dict):
                continue
            calls = m.get("tool_calls") or m.get("function_call")
            if "content" not in m:
                if m.get("role") == "assistant" and calls:
                    continue
                out.append(
                    Finding(
                        f"message {i} ({m.get('role')}) has no `content`", pointer=f"/messages/{i}"
                    )
                )
            elif m["content"] is None and not (m.get("role") == "assistant" and calls):
                out.append(
                    Finding(
                        f"message {i} ({m.get('role')}) has `content: null`; null is allowed only "
                        "on an assistant message with `tool_calls`",
                        pointer=f"/messages/{i}/content",
                    )
                )
        return out
