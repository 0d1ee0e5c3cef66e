from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import Scope
from ftprep.rules.language._detections import LanguageRule, side_pointer


class LanguageMismatch(LanguageRule):
    """## What it does
    Reports records whose answer is confidently in another language than their question
    (the same detections as LG001). When most records pair two languages on purpose (a
    translation dataset), that pair is the norm and only records that break it are
    reported. Off by default; turn it on with `--extend-select LG`.

    ## Why is this bad?
    A model trained on English questions with German answers learns to answer in the
    wrong language.

    ## Example
    `{"prompt": "Where is my parcel? It should have arrived on Monday ->", "completion": " Ihr Paket ist unterwegs und kommt morgen an.\\n"}`

    ## Use instead
    Answer in the question's language, or state the target language in the prompt.

    ## Options
    The same as LG001: `backend` and `min-probability`.

    ## Fix safety
    No fix.

    ## References
    - langdetect (seeded); fastText lid.176
    """

    code = "LG002"
    name = "language-mismatch"
    group = "language"
    scope = Scope.DATASET
    default_severity = Severity.WARNING

    def finish(self) -> Iterator[Finding]:
        d = self.detections
        pairs = Counter((q, a) for q, a in zip(d.question, d.answer, strict=True) if q and a)
        if not pairs:
            return
        # The usual pair (most frequent, then by language) is what the data intends.
        usual = min(
            pairs.items(), key=lambda kv: (-kv[1], d.languages[kv[0][0]], d.languages[kv[0][1]])
        )[0]
        pointer = side_pointer(self.ctx.kind, "answer")
        odd = [
            (index, q, a)
            for index, q, a in zip(d.indexes, d.question, d.answer, strict=True)
            if q and a and q != a and (q, a) != usual
        ]
        held = self.confirmed(
            d, [(i, "question", q) for i, q, _ in odd] + [(i, "answer", a) for i, _, a in odd]
        )
        for index, q, a in odd:
            if (index, "question") in held and (index, "answer") in held:
                yield Finding(
                    f"the answer is in `{d.languages[a]}` but the question in `{d.languages[q]}`",
                    record=index,
                    pointer=pointer,
                    data={"question": d.languages[q], "answer": d.languages[a]},
                )
