from __future__ import annotations

from typing import Any

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, Stringify
from ftprep.core.model import Kind, Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule
from ftprep.rules.texts import messages_base, messages_of


def _type(value: Any) -> str:
    return {bool: "boolean", int: "number", float: "number", list: "list", dict: "object"}.get(
        type(value), type(value).__name__
    )


def _not_plain_completion(record: Record) -> bool:
    data = record.data
    return (
        record.kind is not Kind.COMPLETION
        or type(data.get("prompt")) is not str
        or type(data.get("completion")) is not str
    )


_NOT_PLAIN_COMPLETION = Prefilter(record=_not_plain_completion)


class NonStringValue(Rule):
    """## What it does
    Reports a prompt, completion or message content that is a number, boolean, list or
    object where text is required (list content of typed parts is checked by SC014).

    ## Why is this bad?
    Trainers expect strings; tokenizers crash on numbers ("expected str"), and a label
    stored as the number `1` is easy to lose or turn into `1.0` on the way.

    ## Example
    ```jsonl
    {"prompt": "Is 7 prime?", "completion": 1}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "Is 7 prime?", "completion": " 1"}
    ```

    ## Options
    None.

    ## Fix safety
    Safe for numbers: the fix writes the number as the same text. Lists and objects get no
    fix.

    ## References
    - finelint `NON_STRING_TEXT_FIELD`; OpenAI cookbook `missing_content`
    """

    code = "SC017"
    name = "non-string-value"
    group = "structure"
    default_severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def _finding(self, record: Record, pointer: str, value: Any, what: str) -> Finding:
        fix = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            fix = Fix(
                title=f"Write {value!r} as text",
                edits=(Stringify(record=record.index, pointer=pointer),),
                applicability=Applicability.SAFE,
            )
        return Finding(f"{what} is a {_type(value)}, not text", pointer=pointer, fix=fix)

    def prefilter(self) -> Prefilter:
        """Completion records whose prompt and completion are strings (nearly all) are
        passed over; the rest are checked one by one."""
        return _NOT_PLAIN_COMPLETION

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        if record.kind is Kind.COMPLETION:
            for key in ("prompt", "completion"):
                value = record.data.get(key)
                if key in record.data and not isinstance(value, str):
                    out.append(self._finding(record, "/" + key, value, f"`{key}`"))
            return out
        base = messages_base(record)
        for i, m in enumerate(messages_of(record) or []):
            if isinstance(m, dict) and "content" in m:
                c = m["content"]
                if c is not None and not isinstance(c, (str, list)):
                    out.append(
                        self._finding(record, f"{base}/{i}/content", c, f"message {i} content")
                    )
        return out
