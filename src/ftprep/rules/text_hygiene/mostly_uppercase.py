from __future__ import annotations

import re
from collections.abc import Iterator

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, TextEdit
from ftprep.core.model import Kind
from ftprep.core.rule import Rule, RuleContext, Scope

UPPER = re.compile("[A-ZÀ-ÖØ-ÞĀĂĄĆĈĊČĎĐĒĔĖĘĚΑ-ΩА-ЯЁ]")
LOWER = re.compile("[a-zß-öø-ÿāăąćĉċčďđēĕėęěα-ωа-яё]")


def count_case(text: str) -> tuple[int, int, int]:
    """(uppercase, lowercase, uncased) letters of a non-ASCII text (ASCII uses the shared
    profile): Han, Devanagari or Arabic letters have no case."""
    upper, lower = UPPER.subn("", text)[1], LOWER.subn("", text)[1]
    return upper, lower, sum(map(str.isalpha, text)) - upper - lower


class FieldCases(Collector):
    """Per field of the completion records: uppercase, lowercase and uncased letters."""

    targets = frozenset({Kind.COMPLETION})

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.counts: dict[str, list[int]] = {"prompt": [0, 0, 0], "completion": [0, 0, 0]}

    def feed(self, batch: Batch) -> None:
        """Sums over the whole batch: two C-speed counts per field for its ASCII texts."""
        texts = batch.index
        for pointer, (upper, lower) in texts.case_counts().items():
            field = self.counts.get(pointer[1:])
            if field is not None:
                field[0] += upper
                field[1] += lower
        for i in texts.non_ascii:
            field = self.counts.get(texts.pointers[i][1:])
            if field is not None:
                upper, lower, uncased = count_case(texts.texts[i])
                field[0] += upper
                field[1] += lower
                field[2] += uncased

    def merge(self, other: Collector) -> None:
        assert isinstance(other, FieldCases)
        for field, values in other.counts.items():
            for k, n in enumerate(values):
                self.counts[field][k] += n


class MostlyUppercase(Rule):
    """## What it does
    Reports a field (prompts or completions) in which more than a third of the letters are
    uppercase, counted over the whole dataset. Fields written mostly in a script without
    case (Chinese, Hindi, Arabic) are not reported, whatever their acronyms.

    ## Why is this bad?
    Text in capitals tokenizes into more, rarer tokens and performs worse than the mixed
    case of normal language (OpenAI's legacy guidance).

    ## Example
    ```jsonl
    {"prompt": "WHAT IS THE RETURN POLICY? ->", "completion": " 30 DAYS.\\n"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "What is the return policy? ->", "completion": " 30 days.\\n"}
    ```

    ## Options
    None.

    ## Fix safety
    Unsafe: lowercasing everything also lowercases names and acronyms.

    ## References
    - openai-python `_validators.py` (`lower_case_validator`)
    """

    code = "WS005"
    name = "mostly-uppercase"
    group = "whitespace"
    scope = Scope.DATASET
    targets = frozenset({Kind.COMPLETION})
    default_severity = Severity.INFO
    fix_availability = FixAvailability.ALWAYS

    def collects(self) -> Collects:
        return Collects(FieldCases)

    def finish(self) -> Iterator[Finding]:
        assert isinstance(self.collected, FieldCases)
        for field, (upper, lower, uncased) in self.collected.counts.items():
            # Text in a script without case (Chinese, Hindi) with a few acronyms is not
            # shouted: the share only means something where most letters have a case.
            if upper * 2 > lower and upper > 0 and upper + lower >= uncased:
                share = upper / (upper + lower)
                yield Finding(
                    f"{share:.0%} of the letters in the {field}s are uppercase",
                    pointer="/" + field,
                    fix=Fix(
                        title=f"Lowercase every {field}",
                        edits=(TextEdit(action="lowercase", record=None, pointer="/" + field),),
                        applicability=Applicability.UNSAFE,
                    ),
                    data={"field": field, "uppercase_share": round(share, 4)},
                )
