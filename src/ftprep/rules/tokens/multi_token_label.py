from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind
from ftprep.core.rule import Scope
from ftprep.rules.classes._labels import LabelRule, class_name


class MultiTokenLabel(LabelRule):
    """## What it does
    In classification-like data, reports each class whose label is more than one token for
    the target model's encoding. Completion labels are counted with their leading space
    (` positive`), as the model produces them after the prompt; chat labels as written.
    The finding sits on the first row of the class.

    ## Why is this bad?
    A single-token label can be predicted with `max_tokens=1` and scored from one token's
    log-probability; a label spread over several tokens costs more and can stop halfway.

    ## Example
    ` very positive` is 2 tokens in `cl100k_base`.

    ## Use instead
    Map classes to short single-token labels (` positive`, ` negative`, ` 1`, ` 2`) and
    translate back after prediction.

    ## Options
    None.

    ## Fix safety
    No fix: renaming classes is a modelling decision.

    ## References
    - OpenAI legacy fine-tuning guide, "Classification" (single-token labels)
    """

    code = "TK003"
    name = "multi-token-label"
    group = "tokens"
    scope = Scope.DATASET
    default_severity = Severity.WARNING

    def finish(self) -> Iterator[Finding]:
        if not self.classification:
            return
        counter = self.ctx.tokens
        leading = " " if self.ctx.kind is Kind.COMPLETION else ""
        encoding = self.ctx.model.encoding
        for label, count in self.stats.counts():
            if not label:
                continue
            text = leading + label
            n = counter.count(text)
            if n > 1:
                yield Finding(
                    f"label {class_name(text)} ({count:,} examples) is {n} tokens in "
                    f"{encoding}, not one",
                    record=self.stats.rows[label][0],
                    data={"class": label, "tokens": n, "encoding": encoding},
                )
