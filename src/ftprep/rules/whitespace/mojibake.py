from __future__ import annotations

import re

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Batch, Record
from ftprep.core.rule import Rule
from ftprep.rules.batch_texts import batch_texts
from ftprep.rules.texts import record_texts, show

# UTF-8 bytes read as cp1252/latin-1: "é" -> "Ã©", "’" -> "â€™", "°" -> "Â°".
MOJIBAKE = re.compile(
    "Ã[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|â€[\u0080-\u00bf\u2122\u0153\u201d\u02dc\u0161\u00a6\u201c\u2019\u2018\u2013\u2014\u2026]"
    "|Â[\u00a0-\u00bf]"
    "|ï»¿"
)


class Mojibake(Rule):
    """## What it does
    Reports text that was decoded with the wrong codec somewhere upstream: UTF-8 bytes read
    as Windows-1252 turn `é` into `Ã©` and `’` into `â€™`.

    ## Why is this bad?
    The model learns the garbled characters and reproduces them in its answers.

    ## Example
    `"The cafÃ© isnâ€™t open"`

    ## Use instead
    `"The café isn’t open"`

    ## Options
    None.

    ## Fix safety
    No fix: re-export the source with the right encoding (or repair it with a tool such as
    ftfy and review the result).

    ## References
    - chardet/chardet#185, jawah/charset_normalizer#624
    """

    code = "WS004"
    name = "mojibake"
    group = "whitespace"
    default_severity = Severity.WARNING

    def check_batch(self, batch: Batch) -> list[tuple[Record, Finding]]:
        """Every pattern needs a character beyond ASCII: only those texts are searched."""
        texts = batch_texts(batch)
        suspects = [i for i in texts.non_ascii if MOJIBAKE.search(texts.texts[i])]
        return self.check_each(texts.owners_of(suspects))

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        for pointer, text, _role in record_texts(record):
            if text.isascii():
                continue
            match = MOJIBAKE.search(text)
            if match:
                start = max(0, match.start() - 10)
                out.append(
                    Finding(
                        f"text looks decoded with the wrong codec: {show(text[start : match.end() + 10])}",
                        pointer=pointer,
                    )
                )
        return out
