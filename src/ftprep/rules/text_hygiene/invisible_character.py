from __future__ import annotations

import unicodedata

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, TextEdit
from ftprep.core.invisible import CANDIDATES, debris
from ftprep.core.model import Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule
from ftprep.core.texts import record_profiles, record_texts


def _describe(ch: str) -> str:
    try:
        name = unicodedata.name(ch)
    except ValueError:
        name = "control character"
    return f"U+{ord(ch):04X} {name}"


_SUSPECTS = Prefilter(controls=True, non_ascii_text=CANDIDATES.search)


class InvisibleCharacter(Rule):
    """## What it does
    Reports zero-width characters, bidirectional controls, soft hyphens, non-breaking
    spaces and C0 control characters (other than tab and newline) in text, where they are
    debris. Where a script needs them they are text and not reported: the ZERO WIDTH
    JOINER of an emoji sequence (🏃‍♀️), ZWNJ and ZWJ between letters of Persian, Arabic,
    Urdu or Indic words (`می‌خوام`), ZERO WIDTH SPACE between Thai, Lao, Khmer or Burmese
    words, and direction marks in text holding a right-to-left script. Variation selectors
    (❤️, keycaps) are always text.

    ## Why is this bad?
    They are invisible when a person reviews the data but not to the tokenizer: the model
    learns to emit them, and they break exact matching of labels and answers.

    ## Example
    `"positive\\u200b"` looks like `"positive"` but is a different label.

    ## Use instead
    `"positive"`

    ## Options
    None.

    ## Fix safety
    Safe: the fix deletes only the debris and turns non-breaking spaces into ordinary
    spaces; the joiners, spaces and marks that a script needs stay byte for byte.

    ## References
    - Trojan Source (bidi controls); cleanllm encoding checks
    """

    code = "WS003"
    name = "invisible-character"
    group = "whitespace"
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS

    def prefilter(self) -> Prefilter:
        """Only records with an ASCII control character or a suspect non-ASCII text."""
        return _SUSPECTS

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        for (pointer, text, _role), profile in zip(
            record_texts(record), record_profiles(record), strict=True
        ):
            if profile is not None and not profile[2]:
                continue  # ASCII without control characters
            if CANDIDATES.search(text) is None:
                continue
            found = debris(text)
            if not found:
                continue
            names = ", ".join(sorted({_describe(c) for _, c in found}))
            out.append(
                Finding(
                    f"invisible character(s) at offset {found[0][0]}: {names}",
                    pointer=pointer,
                    fix=Fix(
                        title="Remove the invisible characters",
                        edits=(
                            TextEdit(
                                action="remove-invisible", record=record.index, pointer=pointer
                            ),
                        ),
                        applicability=Applicability.SAFE,
                    ),
                )
            )
        return out
