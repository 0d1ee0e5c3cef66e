from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.location import Related
from ftprep.core.rule import Scope
from ftprep.rules.labels import LabelRule
from ftprep.rules.repeats import repeated_values

# Related records shown per finding; the message gives the full count.
MAX_RELATED = 5


class ConflictingLabels(LabelRule):
    """## What it does
    In classification-like data, reports records whose prompt (for chat: every message
    before the final assistant message, the system prompt and the tools included) is the
    same as another record's once case, Unicode form and whitespace are normalised, but
    whose label (completion, final assistant message) differs. Each record of such a group
    is reported and points at the first record of every other label. Generated answers
    (translations, open questions) may rightly differ for one prompt and are not compared.

    ## Why is this bad?
    The model sees the same input with contradicting targets: in classification it learns
    noise, in generation it learns to hedge between the answers. It is often a labelling
    mistake, or a template that lost the text that told the examples apart.

    ## Example
    ```jsonl
    {"prompt": "Great product, fast delivery ->", "completion": " positive"}
    {"prompt": "great product,  fast delivery ->", "completion": " negative"}
    ```

    ## Use instead
    Decide on one label, or make the prompts say what makes the answers differ.

    ## Options
    None.

    ## Fix safety
    No fix: only a person can tell which answer is right.

    ## References
    - OpenAI fine-tuning guide ("consistent examples"); cleanlab label issues
    """

    code = "CB004"
    name = "conflicting-labels"
    group = "classes"
    scope = Scope.DATASET
    default_severity = Severity.WARNING

    def finish(self) -> Iterator[Finding]:
        if not self.classification:
            return  # generated answers may differ for one prompt: only a class is wrong
        s = self.stats
        contexts, labels, indexes = s.contexts, s.label_hashes, s.indexes
        repeated = repeated_values(contexts)
        repeated.discard(0)  # 0: no prompt to compare
        if not repeated:
            return  # no prompt occurs twice (generative data, usually): nothing to compare
        order = sorted(
            (k for k in range(len(contexts)) if contexts[k] in repeated),
            key=contexts.__getitem__,
        )  # stable: equal contexts keep input order
        line_of = self.ctx.line_of
        findings: list[Finding] = []
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and contexts[order[end]] == contexts[order[start]]:
                end += 1
            group = order[start:end]
            start = end
            answers: dict[int, int] = {}  # label hash -> first record index
            for k in group:
                answers.setdefault(labels[k], indexes[k])
            if len(answers) < 2:
                continue
            for k in group:
                others = [i for h, i in answers.items() if h != labels[k]]
                related = tuple(
                    Related(self.ctx.file, line_of(i) if line_of else None, i)
                    for i in others[:MAX_RELATED]
                )
                shown = ", ".join(
                    f"line {r.line}" if r.line else f"record {r.record}" for r in related
                )
                findings.append(
                    Finding(
                        f"the same prompt has {len(answers)} different answers in "
                        f"{len(group)} records; other answers at {shown}",
                        record=indexes[k],
                        related=related,
                        data={"answers": len(answers), "records": len(group)},
                    )
                )
        findings.sort(key=lambda f: f.record or 0)
        yield from findings
