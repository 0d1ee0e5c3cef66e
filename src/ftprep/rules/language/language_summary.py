from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import Scope
from ftprep.rules.language._detections import SIDES, LanguageRule

# Languages listed by name per side; the rest are counted together (a report stays small).
LISTED_LANGUAGES = 30


class LanguageSummary(LanguageRule):
    """## What it does
    Summarises the languages of the data: for the question side (user turns, or the
    prompt) and the answer side (assistant turns, or the completion), how many records
    are confidently in each language and how many are undetermined (short texts,
    identifiers, numbers; the same detections as LG001). The HTML report draws it. Off by
    default, as the other language rules; turn it on with `--extend-select LG`.

    ## Why is this bad?
    It is not: this is information, so you see which languages the model will learn.

    ## Example
    `question side: en 9,412, de 31, 557 undetermined; answer side: en 9,801, 199 undetermined`

    ## Use instead
    Nothing to change.

    ## Options
    The same as LG001: `backend` and `min-probability`.

    ## Fix safety
    No fix.

    ## References
    - langdetect (seeded); fastText lid.176
    """

    code = "LG003"
    name = "language-summary"
    group = "language"
    scope = Scope.DATASET
    default_severity = Severity.INFO
    is_summary = True

    def finish(self) -> Iterator[Finding]:
        d = self.detections
        records = len(d.indexes)
        if not records:
            return
        data: dict[str, object] = {"records": records}
        parts = []
        for side in SIDES:
            counts = Counter(d.side(side))
            undetermined = counts.pop(0, 0)
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], d.languages[kv[0]]))
            listed = {d.languages[i]: n for i, n in ranked[:LISTED_LANGUAGES]}
            data[side] = {
                "languages": listed,
                "unlisted": sum(n for _, n in ranked[LISTED_LANGUAGES:]),
                "undetermined": undetermined,
            }
            shown = [f"{lang} {n:,}" for lang, n in list(listed.items())[:5]]
            if len(ranked) > 5:
                shown.append(f"{len(ranked) - 5:,} more languages")
            parts.append(f"{side} side: {', '.join([*shown, f'{undetermined:,} undetermined'])}")
        yield Finding("; ".join(parts), data=data)
