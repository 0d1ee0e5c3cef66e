from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import RuleOptions
from ftprep.rules.separators._base import FieldEndingRule


class Options(RuleOptions):
    min_share: float = Field(default=0.5, ge=0, lt=1)
    """More than this share of prompts must end with a separator for it to be the dataset's."""


class SeparatorInPromptBody(FieldEndingRule):
    """## What it does
    Reports prompts that contain the dataset's separator before their end as well.

    ## Why is this bad?
    The separator is the model's cue that the prompt is over. When it also appears inside a
    prompt, the model may start answering in the middle of one.

    ## Example
    ```jsonl
    {"prompt": "Q: a -> b? ->", "completion": " yes"}
    ```

    ## Use instead
    Choose a separator that occurs in no prompt, such as `\\n\\n###\\n\\n`.

    ## Options
    - `min-share`: share of prompts that must end with the separator (default 0.5: more than half).

    ## Fix safety
    No fix: replacing the separator in every prompt is a choice for the user.

    ## References
    - openai-python `_validators.py` (warns when the suffix occurs more than once)
    """

    code = "SP003"
    name = "separator-in-prompt-body"
    group = "separators"
    default_severity = Severity.WARNING
    Options = Options
    field = "prompt"

    def finish(self) -> Iterator[Finding]:
        yield from self.repeated_endings(
            "the separator {} also occurs inside the prompt, not only at its end"
        )
