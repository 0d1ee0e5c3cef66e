from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.jsontext import json_type
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule


class MissingMessages(Rule):
    """## What it does
    Checks that a chat example has a `messages` list with at least one message.

    ## Why is this bad?
    Without messages there is nothing to train on; OpenAI rejects the file
    (`missing_messages_list` in the cookbook's checks).

    ## Example
    ```jsonl
    {"conversation": [{"role": "user", "content": "Hi"}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
    ```

    ## Options
    None.

    ## Fix safety
    No fix. ShareGPT-style `conversations` files are converted by `ftprep convert`.

    ## References
    - OpenAI cookbook, "Chat fine-tuning data prep"
    """

    code = "SC001"
    name = "missing-messages"
    group = "structure"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        messages = record.data.get("messages")
        if "messages" not in record.data:
            keys = ", ".join(map(repr, record.data)) or "none"
            out.append(Finding(f"no `messages` key; keys found: {keys}", pointer=""))
        elif not isinstance(messages, list):
            out.append(
                Finding(
                    f"`messages` is a JSON {json_type(messages)}, not an array", pointer="/messages"
                )
            )
        elif not messages:
            out.append(Finding("`messages` is empty", pointer="/messages"))
        else:
            for i, m in enumerate(messages):
                if not isinstance(m, dict):
                    out.append(Finding(f"message {i} is not an object", pointer=f"/messages/{i}"))
        return out
