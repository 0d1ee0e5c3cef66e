from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule


class InvalidWeight(Rule):
    """## What it does
    Checks that `weight` is the integer 0 or 1 and appears only on assistant messages.

    ## Why is this bad?
    OpenAI accepts only 0 (do not train this turn) or 1; anything else is rejected, and a
    weight on a user message has no meaning.

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "weight": 0.5}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "weight": 1}]}
    ```

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - OpenAI fine-tuning guide, "Multi-turn chat examples"; openai/openai-cookbook#1074
    """

    code = "SC011"
    name = "invalid-weight"
    group = "structure"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.ERROR

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        messages = record.data.get("messages")
        if not isinstance(messages, list):
            return out
        for i, m in enumerate(messages):
            if not isinstance(m, dict) or "weight" not in m:
                continue
            w = m["weight"]
            pointer = f"/messages/{i}/weight"
            if isinstance(w, bool) or w not in (0, 1) or isinstance(w, float):
                out.append(
                    Finding(f"weight is {w!r}; it must be the integer 0 or 1", pointer=pointer)
                )
            elif m.get("role") != "assistant":
                out.append(
                    Finding(
                        f"weight on a {m.get('role')} message; only assistant turns carry a weight",
                        pointer=pointer,
                    )
                )
        return out
