from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule


class MissingAssistantMessage(Rule):
    """## What it does
    Checks that a conversation has at least one assistant message that is trained (its
    `weight` is not 0).

    ## Why is this bad?
    Only assistant turns are learned. An example without one costs tokens and teaches
    nothing; OpenAI rejects it (`example_missing_assistant_message`).

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
    ```

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - OpenAI cookbook, "Chat fine-tuning data prep"
    """

    code = "SC007"
    name = "missing-assistant-message"
    group = "structure"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        messages = record.data.get("messages")
        if not isinstance(messages, list) or not messages:
            return out
        assistants = [m for m in messages if isinstance(m, dict) and m.get("role") == "assistant"]
        if not assistants:
            out.append(Finding("the conversation has no assistant message", pointer="/messages"))
        elif all(m.get("weight", 1) == 0 for m in assistants):
            out.append(
                Finding(
                    "every assistant message has `weight: 0`, so nothing is trained",
                    pointer="/messages",
                )
            )
        return out
