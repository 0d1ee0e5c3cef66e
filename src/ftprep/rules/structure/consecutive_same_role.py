from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, MergeNext
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule


class ConsecutiveSameRole(Rule):
    """## What it does
    Reports two user turns or two assistant turns in a row (an assistant tool call followed
    by its answer is not counted).

    ## Why is this bad?
    Many chat templates require strict alternation ("Conversation roles must alternate");
    Azure answered "contains invalid schema" with no line for this case.

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "user", "content": "Anyone?"}, {"role": "assistant", "content": "Hello"}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi\\n\\nAnyone?"}, {"role": "assistant", "content": "Hello"}]}
    ```

    ## Options
    None.

    ## Fix safety
    Unsafe: the fix merges the two turns with a blank line between them, which changes the
    turn structure the model learns.

    ## References
    - microsoft-foundry/fine-tuning#23, unslothai/unsloth#334, hiyouga/LlamaFactory#2962
    """

    code = "SC010"
    name = "consecutive-same-role"
    group = "structure"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        messages = record.data.get("messages")
        if not isinstance(messages, list):
            return out
        for i in range(1, len(messages)):
            a, b = messages[i - 1], messages[i]
            if not (isinstance(a, dict) and isinstance(b, dict)):
                continue
            role = b.get("role")
            if role not in ("user", "assistant") or a.get("role") != role:
                continue
            if a.get("tool_calls") or b.get("tool_calls"):
                continue
            fix = None
            if isinstance(a.get("content"), str) and isinstance(b.get("content"), str):
                fix = Fix(
                    title=f"Merge {role} turns {i - 1} and {i}",
                    edits=(MergeNext(record=record.index, pointer=f"/messages/{i - 1}"),),
                    applicability=Applicability.UNSAFE,
                )
            out.append(
                Finding(
                    f"two {role} turns in a row ({i - 1} and {i})",
                    pointer=f"/messages/{i}",
                    fix=fix,
                )
            )
        return out
