from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Edit, Fix, FixAvailability
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule
from ftprep.rules.texts import record_texts


class SurroundingWhitespace(Rule):
    """## What it does
    Reports chat or preference message text that starts or ends with whitespace.

    ## Why is this bad?
    A trailing space or newline in an assistant message is trained as part of the answer, so
    the model learns to emit it; at a train/mask boundary it can merge with the next token.

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi "}, {"role": "assistant", "content": "Hello!\\n"}]}
    ```

    ## Use instead
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]}
    ```

    ## Options
    None.

    ## Fix safety
    Safe: the fix strips the whitespace at both ends.

    ## References
    - Axolotl chat_template warnings (whitespace at a train/mask boundary)
    """

    code = "WS002"
    name = "surrounding-whitespace"
    group = "whitespace"
    targets = frozenset({Kind.CHAT, Kind.PREFERENCE})
    default_severity = Severity.INFO
    fix_availability = FixAvailability.ALWAYS

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        for pointer, text, _role in record_texts(record):
            if text and (text[0].isspace() or text[-1].isspace()) and text.strip():
                where = (
                    "starts and ends"
                    if text[0].isspace() and text[-1].isspace()
                    else ("starts" if text[0].isspace() else "ends")
                )
                out.append(
                    Finding(
                        f"text {where} with whitespace",
                        pointer=pointer,
                        fix=Fix(
                            title="Strip the surrounding whitespace",
                            edits=(Edit("strip", record.index, pointer),),
                            applicability=Applicability.SAFE,
                        ),
                    )
                )
        return out
