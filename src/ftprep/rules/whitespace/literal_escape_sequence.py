from __future__ import annotations

import re

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Batch, Record
from ftprep.core.rule import Rule
from ftprep.rules.batch_texts import batch_texts
from ftprep.rules.texts import record_texts

LITERAL_ESCAPE = re.compile(r"\\[nt](?=[A-Za-z0-9 \\]|$)")


class LiteralEscapeSequence(Rule):
    """## What it does
    Reports text containing `\\n` or `\\t` written as two characters (a backslash and a
    letter) where no real newline occurs: a string escaped twice on its way into the file.

    ## Why is this bad?
    The model learns to write a backslash and an `n` instead of a line break, and every
    one of them costs extra tokens.

    ## Example
    `"Step 1\\\\nStep 2"` in the JSON file (the text shows `Step 1\\nStep 2`).

    ## Use instead
    `"Step 1\\nStep 2"` (a real newline).

    ## Options
    None.

    ## Fix safety
    No fix: code samples may mean the two characters.

    ## References
    - Kiln-AI/Kiln#102 (double-encoded strings in training data)
    """

    code = "WS006"
    name = "literal-escape-sequence"
    group = "whitespace"
    default_severity = Severity.INFO

    def check_batch(self, batch: Batch) -> list[tuple[Record, Finding]]:
        """Only texts with a backslash can hold a literal escape."""
        texts = batch_texts(batch)
        return self.check_each(texts.owners_of(texts.containing("\\")))

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        for pointer, text, _role in record_texts(record):
            if "\\" not in text or "\n" in text:
                continue
            matches = LITERAL_ESCAPE.findall(text)
            if matches:
                out.append(
                    Finding(
                        f"{len(matches)} literal `\\n`/`\\t` escape(s) where a line break or tab "
                        "was probably meant",
                        pointer=pointer,
                    )
                )
        return out
