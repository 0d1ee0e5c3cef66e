from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import RuleOptions, Scope
from ftprep.rules.labels import LabelRule, class_name


class Options(RuleOptions):
    min_share_ratio: float = Field(default=0.1, gt=0, le=1)
    """Report when the rarest class has fewer examples than this share of its fair share (n/k)."""


_Options = Options  # the class body's `Options` names the rule's attribute


class ClassImbalance(LabelRule):
    """## What it does
    In classification-like data (a declared label column, or single-turn records with short
    answers and fewer distinct answers than a third of the examples), reports when the rarest class holds far less than its fair
    share of the examples: under `min-share-ratio` × n / k for n examples and k classes.

    For chat data the label is the final assistant message.

    ## Why is this bad?
    A model fine-tuned on 2,000 "no" and 15 "yes" learns to answer "no". The rare class
    needs more examples, or the common ones fewer.

    ## Example
    990 completions ` negative` and 10 completions ` positive`.

    ## Use instead
    Collect more examples of the rare class, or down-sample the common one.

    ## Options
    - `min-share-ratio`: fraction of the fair share under which the rarest class is
      reported (default 0.1, as cleanlab's class-imbalance check).

    ## Fix safety
    No fix: balancing needs new data or a decision about what to drop.

    ## References
    - OpenAI legacy fine-tuning guide (classification); cleanlab `class_imbalance`
    """

    code = "CB001"
    name = "class-imbalance"
    group = "classes"
    scope = Scope.DATASET
    default_severity = Severity.WARNING
    Options = Options
    options: _Options  # the typed view of this rule's options

    def finish(self) -> Iterator[Finding]:
        counts = self.class_counts()
        if counts is None:
            return
        n, k = self.stats.n, len(counts)
        label, rarest = counts[-1]
        fair = n / k
        ratio = self.options.min_share_ratio
        if rarest >= ratio * fair:
            return
        common, most = counts[0]
        yield Finding(
            f"class {class_name(label)} has {rarest:,} of {n:,} examples ({rarest / n:.1%}), "
            f"under {ratio:g} of its fair share of {fair:,.0f} for {k} classes; "
            f"the largest, {class_name(common)}, has {most:,}",
            record=self.stats.rows[label][0],
            data={"classes": dict(counts), "rarest": label, "fair_share": round(fair, 2)},
        )
