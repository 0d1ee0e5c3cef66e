from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, TruncateList
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule


class LastMessageNotAssistant(Rule):
    """## What it does
    Reports a conversation that ends on a user, system or tool turn.

    ## Why is this bad?
    Turns after the last assistant message are never a training target: they cost tokens
    and teach nothing. Mistral's trainer rejects such examples outright.

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    ```

    ## Options
    None.

    ## Fix safety
    Unsafe: the fix drops the trailing turns, which removes text from the example.

    ## References
    - mistralai/mistral-finetune `validate_data.py`, cleanllm `check-turns`
    """

    code = "SC008"
    name = "last-message-not-assistant"
    group = "structure"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        messages = record.data.get("messages")
        if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
            return out
        if messages[-1].get("role") == "assistant":
            return out
        last_assistant = max(
            (
                i
                for i, m in enumerate(messages)
                if isinstance(m, dict) and m.get("role") == "assistant"
            ),
            default=None,
        )
        fix = None
        if last_assistant is not None:
            n = len(messages) - last_assistant - 1
            fix = Fix(
                title=f"Drop the {n} turn(s) after the last assistant message",
                edits=(
                    TruncateList(
                        record=record.index,
                        pointer="/messages",
                        keep=last_assistant + 1,
                        expected_length=len(messages),
                    ),
                ),
                applicability=Applicability.UNSAFE,
            )
        out.append(
            Finding(
                f"the conversation ends on a {messages[-1].get('role')!s} turn",
                pointer=f"/messages/{len(messages) - 1}",
                fix=fix,
            )
        )
        return out
