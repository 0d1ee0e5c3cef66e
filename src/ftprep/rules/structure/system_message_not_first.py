from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule


class SystemMessageNotFirst(Rule):
    """## What it does
    Reports a system message that is not the first message of the conversation.

    ## Why is this bad?
    Chat templates place the system prompt first; many (Llama, Mistral, Gemma) raise an
    error or drop a late system message, so the example trains differently than intended.

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "system", "content": "Be brief."}, {"role": "assistant", "content": "Hello"}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    ```

    ## Options
    None.

    ## Fix safety
    No fix: moving the message changes what the earlier turns were conditioned on.

    ## References
    - finelint `CHAT_SYSTEM_POSITION`, mistral_common transition rules
    """

    code = "SC009"
    name = "system-message-not-first"
    group = "structure"
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.WARNING

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        messages = record.data.get("messages")
        if not isinstance(messages, list):
            return out
        for i, m in enumerate(messages):
            if i > 0 and isinstance(m, dict) and m.get("role") == "system":
                out.append(
                    Finding(f"system message at position {i}, not first", pointer=f"/messages/{i}")
                )
        return out
