from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import RuleOptions
from ftprep.rules.separators._base import FieldEndingRule


class Options(RuleOptions):
    min_share: float = Field(default=0.5, ge=0, lt=1)
    """More than this share of prompts must end with a separator for it to be the dataset's."""


class InconsistentPromptSeparator(FieldEndingRule):
    """## What it does
    Finds the separator most prompts end with (more than half of them, by default) and
    reports each prompt that does not end with it.

    ## Why is this bad?
    At inference you append one separator. Examples trained without it teach the model
    that the prompt may continue, so answers to those prompts start in the wrong place.

    ## Example
    ```jsonl
    {"prompt": "2+2 ->", "completion": " 4"}
    {"prompt": "3+3", "completion": " 6"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "2+2 ->", "completion": " 4"}
    {"prompt": "3+3 ->", "completion": " 6"}
    ```

    ## Options
    - `min-share`: share of prompts that must end with the separator (default 0.5: more than half).

    ## Fix safety
    Safe: the fix appends the dataset's separator to the prompts that lack it.

    ## References
    - OpenAI legacy fine-tuning guide, "Preparing your dataset"
    """

    code = "SP002"
    name = "inconsistent-prompt-separator"
    group = "separators"
    default_severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS
    Options = Options
    field = "prompt"

    def finish(self) -> Iterator[Finding]:
        yield from self.inconsistent_endings("separator", "separator")
