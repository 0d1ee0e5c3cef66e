from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import Scope
from ftprep.rules.labels import LabelRule, class_name


class MultiTokenLabel(LabelRule):
    """## What it does
    In classification-like data, reports each class whose label is more than one token for
    the target model's encoding, counted as the data writes it (with its leading space, if
    it has one), and names the form that is one token when there is one. The finding sits
    on the first row of the class.

    ## Why is this bad?
    A single-token label can be predicted with `max_tokens=1` and scored from one token's
    log-probability; a label spread over several tokens costs more and can stop halfway.

    ## Example
    ` very positive` is 2 tokens in `cl100k_base`.

    ## Use instead
    Map classes to short single-token labels and translate back after prediction. Which
    form is one token depends on the encoding: in `cl100k_base` and `o200k_base` a leading
    space joins a word (` positive` is one token) but never a digit (` 1` is two tokens, `1`
    one), which is why WS001 asks no space before a digit label.

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
        count = self.ctx.tokens.count
        encoding = self.ctx.model.encoding
        forms = self.stats.forms
        for label, examples in self.stats.counts():
            if not label:
                continue
            text = forms.get(label, label)
            n = count(text)
            if n <= 1:
                continue
            better = next((f for f in (label, " " + label) if f != text and count(f) == 1), None)
            hint = f"; {class_name(better)} is one" if better is not None else ""
            yield Finding(
                f"label {class_name(text)} ({examples:,} examples) is {n} tokens in "
                f"{encoding}, not one{hint}",
                record=self.stats.rows[label][0],
                data={"class": label, "tokens": n, "encoding": encoding, "single": better},
            )
