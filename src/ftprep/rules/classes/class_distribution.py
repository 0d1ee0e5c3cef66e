from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import Scope
from ftprep.rules.labels import LabelRule, class_name


class ClassDistribution(LabelRule):
    """## What it does
    Summarises classification-like data (see CB001): how many classes, and how many
    examples each has, most frequent first (every class: data with more than 2,000
    distinct labels is not classification). The HTML report draws it for training and
    validation side by side.

    ## Why is this bad?
    It is not: this is information, so you can see how the classes are spread, and
    whether validation is spread the same way, before you train.

    ## Example
    `3 classes in 1,000 examples; largest `positive` 600 (60.0%), smallest `neutral` 100 (10.0%)`

    ## Use instead
    Nothing to change.

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - Hugging Face dataset viewer (label counts per split)
    """

    code = "CB005"
    name = "class-distribution"
    group = "classes"
    scope = Scope.DATASET
    default_severity = Severity.INFO
    is_summary = True

    def finish(self) -> Iterator[Finding]:
        counts = self.class_counts()
        if counts is None:
            return
        n = self.stats.n
        (largest, most), (smallest, fewest) = counts[0], counts[-1]
        yield Finding(
            f"{len(counts):,} classes in {n:,} examples; largest {class_name(largest)} "
            f"{most:,} ({most / n:.1%}), smallest {class_name(smallest)} {fewest:,} "
            f"({fewest / n:.1%})",
            data={
                "examples": n,
                "class_count": len(counts),
                # Every class: classification data has at most MAX_CLASSES of them.
                "classes": dict(counts),
            },
        )
