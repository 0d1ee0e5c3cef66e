from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import RuleOptions, Scope
from ftprep.rules.labels import LabelRule, class_name


class Options(RuleOptions):
    min_examples: int = Field(default=100, ge=0)
    """A class with fewer examples than this is reported (OpenAI's guidance: about 100)."""


_Options = Options  # the class body's `Options` names the rule's attribute


class RareClass(LabelRule):
    """## What it does
    In classification-like data, reports every row of a class that has fewer examples than
    `min-examples` (default 100), so the rows can be found and the class grown. When every
    class is that small, one finding says so instead.

    ## Why is this bad?
    OpenAI's guidance for classification is at least about 100 examples per class; with
    fewer the model rarely learns to produce the class at all.

    ## Example
    A sentiment set with 400 ` positive`, 380 ` negative` and 12 ` mixed` completions:
    the 12 ` mixed` rows are reported.

    ## Use instead
    Add examples of the rare class, or merge it into a related class.

    ## Options
    - `min-examples`: examples a class needs (default 100).

    ## Fix safety
    No fix.

    ## References
    - OpenAI legacy fine-tuning guide, "Classification"
    """

    code = "CB002"
    name = "rare-class"
    group = "classes"
    scope = Scope.DATASET
    default_severity = Severity.WARNING
    Options = Options
    options: _Options  # the typed view of this rule's options

    def finish(self) -> Iterator[Finding]:
        counts = self.class_counts()
        if counts is None:
            return
        minimum = self.options.min_examples
        if counts[0][1] < minimum:
            # Every class is rare: one finding says it better than one per row.
            yield Finding(
                f"every class has fewer than the {minimum:,} examples advised; the largest, "
                f"{class_name(counts[0][0])}, has {counts[0][1]:,} ({len(counts)} classes)",
                record=self.stats.rows[counts[0][0]][0],
                data={"classes": dict(counts)},
            )
            return
        for label, count in counts:
            if count >= minimum:
                continue
            message = (
                f"class {class_name(label)} has {count:,} example{'s' if count != 1 else ''}, "
                f"fewer than the {minimum:,} advised"
            )
            for index in self.stats.rows[label]:
                yield Finding(message, record=index, data={"class": label, "examples": count})
