from __future__ import annotations

from typing import Any

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, KeyEdit
from ftprep.core.model import Kind, Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule
from ftprep.rules.texts import messages_base, messages_of

_DEFAULT_RECORD_KEYS = {
    Kind.CHAT: ("messages", "tools", "parallel_tool_calls", "functions"),
    Kind.COMPLETION: ("prompt", "completion"),
    Kind.PREFERENCE: ("input", "preferred_output", "non_preferred_output"),
}
_DEFAULT_MESSAGE_KEYS = (
    "role",
    "content",
    "name",
    "weight",
    "tool_calls",
    "tool_call_id",
    "function_call",
    "refusal",
)


class UnknownField(Rule):
    """## What it does
    Reports keys the target does not accept, at record level (`id`, `label`, `metadata`)
    and message level (`loss_weight`, `timestamp`). The allowed keys come from the profile's
    `[target]` table.

    ## Why is this bad?
    Some providers reject extra keys ("Found extra column"), others ignore them silently:
    either way a key the user thought mattered (a weight, a label) has no effect.

    ## Example
    ```jsonl
    {"id": 7, "prompt": "2+2=", "completion": " 4"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "2+2=", "completion": " 4"}
    ```

    ## Options
    None: the allowed keys are target facts in `rules/profiles/*.toml`.

    ## Fix safety
    Unsafe: the fix deletes the key, and with it whatever the user kept there.

    ## References
    - togethercomputer/together-python#220, OpenAI cookbook `message_unrecognized_key`
    """

    code = "SC003"
    name = "unknown-field"
    group = "structure"
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS

    def _drop(self, record: Record, pointer: str, key: str, where: str) -> Finding:
        return Finding(
            f"key {key!r} is not accepted {where} by this target",
            pointer=pointer,
            fix=Fix(
                title=f"Delete key {key!r}",
                edits=(KeyEdit(action="delete-key", record=record.index, pointer=pointer),),
                applicability=Applicability.UNSAFE,
            ),
        )

    def __init__(self, options: Any, ctx: Any) -> None:
        super().__init__(options, ctx)
        target = ctx.target
        self.record_keys = {
            kind: frozenset(target.record_keys if target.record_keys and ctx.kind is kind else keys)
            for kind, keys in _DEFAULT_RECORD_KEYS.items()
        }
        self.message_keys = frozenset(target.message_keys or _DEFAULT_MESSAGE_KEYS)
        self.input_keys = frozenset(
            target.input_keys or ("messages", "tools", "parallel_tool_calls")
        )

    def prefilter(self) -> Prefilter:
        """Completion records whose keys are all accepted (nearly all) are passed over; the
        rest are checked one by one."""
        completion_keys = self.record_keys[Kind.COMPLETION]
        return Prefilter(
            record=lambda r: r.kind is not Kind.COMPLETION or not completion_keys.issuperset(r.data)
        )

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        assert record.kind is not None  # the engine sets every record's kind before rules
        record_keys = self.record_keys[record.kind]
        if not record_keys.issuperset(record.data):
            for key in record.data:
                folded = str(key).lstrip("\ufeff").strip().lower()
                if key not in record_keys and folded not in record_keys:
                    # `Prompt` or a BOM-prefixed key is a misspelt required key: SC002 renames it.
                    out.append(self._drop(record, "/" + str(key), str(key), "on a record"))
        if record.kind is Kind.COMPLETION:
            return out
        base = messages_base(record)
        if record.kind is Kind.PREFERENCE:
            inp = record.data.get("input")
            if isinstance(inp, dict):
                for key in inp:
                    if key not in self.input_keys:
                        out.append(self._drop(record, f"/input/{key}", str(key), "in `input`"))
        message_keys = self.message_keys
        for i, message in enumerate(messages_of(record) or []):
            if isinstance(message, dict) and not message_keys.issuperset(message):
                for key in message:
                    if key not in message_keys:
                        out.append(
                            self._drop(record, f"{base}/{i}/{key}", str(key), "in a message")
                        )
        return out
