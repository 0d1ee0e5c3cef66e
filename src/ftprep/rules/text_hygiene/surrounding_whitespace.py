from __future__ import annotations

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, TextEdit, strip_surrounding
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule
from ftprep.core.texts import record_texts


class SurroundingWhitespace(Rule):
    """## What it does
    Reports chat or preference message text that starts or ends with whitespace. The
    indentation of a first line is not reported when later lines are indented too (code, a
    nested list): there it is structure.

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
    Safe: the fix strips trailing whitespace and leading blank lines, and the first line's
    indentation only where no later line is indented, so code keeps its shape.

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
            if not text or not (text[0].isspace() or text[-1].isspace()) or not text.strip():
                continue
            stripped = strip_surrounding(text)
            if stripped == text:
                continue  # the indentation of code: structure, not stray whitespace
            starts = not text.startswith(stripped)
            ends = not text.endswith(stripped)
            where = "starts and ends" if starts and ends else ("starts" if starts else "ends")
            out.append(
                Finding(
                    f"text {where} with whitespace",
                    pointer=pointer,
                    fix=Fix(
                        title="Strip the surrounding whitespace",
                        edits=(TextEdit(action="strip", record=record.index, pointer=pointer),),
                        applicability=Applicability.SAFE,
                    ),
                )
            )
        return out
