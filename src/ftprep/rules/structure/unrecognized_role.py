from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, SetValue
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule
from ftprep.rules.texts import messages_base, messages_of

ROLE_ALIASES = {
    "human": "user",
    "prompter": "user",
    "gpt": "assistant",
    "bot": "assistant",
    "model": "assistant",
    "chatgpt": "assistant",
    "ai": "assistant",
}


class UnrecognizedRole(Rule):
    """## What it does
    Reports a message whose `role` is not one the target accepts (system, user, assistant,
    tool, and the legacy function), including typos and ShareGPT names.

    ## Why is this bad?
    OpenAI rejects the file; open-weight trainers raise "Invalid role tag" or silently skip
    the turn, so the model never learns from it.

    ## Example
    ```jsonl
    {"messages": [{"role": "human", "content": "Hi"}, {"role": "gpt", "content": "Hello"}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    ```

    ## Options
    None: the accepted roles are the profile's `[target] roles`.

    ## Fix safety
    Safe for the well-known aliases human, prompter → user and gpt, bot, model, chatgpt, ai
    → assistant. Other roles get no fix.

    ## References
    - hiyouga/LlamaFactory#2381 and #2481, OpenAI cookbook `unrecognized_role`
    """

    code = "SC004"
    name = "unrecognized-role"
    group = "structure"
    targets = frozenset({Kind.CHAT, Kind.PREFERENCE})
    default_severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        roles = self.ctx.target.roles
        base = messages_base(record)
        groups = [(base, messages_of(record) or [])]
        if record.kind is Kind.PREFERENCE:
            for key in ("preferred_output", "non_preferred_output"):
                outputs = record.data.get(key)
                if isinstance(outputs, list):
                    groups.append(("/" + key, outputs))
        for prefix, messages in groups:
            for i, message in enumerate(messages):
                if not isinstance(message, dict):
                    continue
                pointer = f"{prefix}/{i}/role"
                if "role" not in message:
                    out.append(Finding(f"message {i} has no `role`", pointer=pointer))
                    continue
                role = message["role"]
                if role in roles:
                    continue
                alias = ROLE_ALIASES.get(str(role).strip().lower())
                if alias is None and isinstance(role, str) and role.strip().lower() in roles:
                    alias = role.strip().lower()
                fix = None
                if alias is not None and alias in roles:
                    fix = Fix(
                        title=f"Rename role {role!r} to {alias!r}",
                        edits=(
                            SetValue(
                                record=record.index, pointer=pointer, expected=role, value=alias
                            ),
                        ),
                        applicability=Applicability.SAFE,
                    )
                accepted = ", ".join(roles)
                out.append(
                    Finding(f"role {role!r} is not one of {accepted}", pointer=pointer, fix=fix)
                )
        return out
