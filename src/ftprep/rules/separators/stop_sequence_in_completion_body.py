from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import RuleOptions
from ftprep.rules.separators._base import FieldEndingRule


class Options(RuleOptions):
    min_share: float = Field(default=0.5, ge=0, lt=1)
    """More than this share of completions must end with a stop sequence for it to count."""


class StopSequenceInCompletionBody(FieldEndingRule):
    """## What it does
    Reports completions that contain the dataset's stop sequence before their end.

    ## Why is this bad?
    Generation stops at the first occurrence of the stop sequence, so everything the model
    learned to write after it is cut off at inference.

    ## Example
    ```jsonl
    {"prompt": "List two fruits ->", "completion": " apple\\npear\\n"}
    ```

    ## Use instead
    Use a stop sequence that occurs in no completion, such as ` END`.

    ## Options
    - `min-share`: share of completions that must end with the stop sequence (default 0.5: more than half).

    ## Fix safety
    No fix.

    ## References
    - openai-python `_validators.py` (warns when the suffix occurs more than once)
    """

    code = "SP006"
    name = "stop-sequence-in-completion-body"
    group = "separators"
    default_severity = Severity.WARNING
    Options = Options
    field = "completion"

    def finish(self) -> Iterator[Finding]:
        if not self.stats.is_classification:
            yield from self.repeated_endings(
                "the stop sequence {} also occurs inside the completion, so generation would "
                "stop early"
            )
