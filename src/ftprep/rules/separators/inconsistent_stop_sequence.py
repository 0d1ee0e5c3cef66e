from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import RuleOptions
from ftprep.rules.separators._base import FieldEndingRule


class Options(RuleOptions):
    min_share: float = Field(default=0.5, ge=0, lt=1)
    """More than this share of completions must end with a stop sequence for it to count."""


class InconsistentStopSequence(FieldEndingRule):
    """## What it does
    Finds the stop sequence most completions end with and reports each completion that
    does not end with it.

    ## Why is this bad?
    At inference you pass one stop sequence. Examples trained without it teach the model to
    run on after the answer.

    ## Example
    ```jsonl
    {"prompt": "Capital of France ->", "completion": " Paris\\n"}
    {"prompt": "Capital of Spain ->", "completion": " Madrid"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "Capital of France ->", "completion": " Paris\\n"}
    {"prompt": "Capital of Spain ->", "completion": " Madrid\\n"}
    ```

    ## Options
    - `min-share`: share of completions that must end with the stop sequence (default 0.5: more than half).

    ## Fix safety
    Safe: the fix appends the dataset's stop sequence to the completions that lack it.

    ## References
    - OpenAI legacy fine-tuning guide, "Preparing your dataset"
    """

    code = "SP005"
    name = "inconsistent-stop-sequence"
    group = "separators"
    default_severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS
    Options = Options
    field = "completion"

    def finish(self) -> Iterator[Finding]:
        if not self.stats.is_classification:
            yield from self.inconsistent_endings("stop sequence", "stop")
