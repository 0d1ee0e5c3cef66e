from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import RuleOptions
from ftprep.rules.separators._base import FieldEndingRule


class Options(RuleOptions):
    min_length: int = Field(default=5, ge=1)
    """Report a shared prefix of at least this many characters (OpenAI's tool: 5)."""


_Options = Options  # the class body's `Options` names the rule's attribute


class CommonCompletionPrefix(FieldEndingRule):
    """## What it does
    Reports that every completion starts with the same text (`" Answer: "`, `" The
    sentiment is"`).

    ## Why is this bad?
    The shared text is not information: the model spends capacity and tokens learning to
    repeat it, and you pay for it on every call.

    ## Example
    ```jsonl
    {"prompt": "great film ->", "completion": " Sentiment: positive"}
    {"prompt": "dull ->", "completion": " Sentiment: negative"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "great film ->", "completion": " positive"}
    {"prompt": "dull ->", "completion": " negative"}
    ```

    ## Options
    - `min-length`: shortest prefix worth reporting (default 5).

    ## Fix safety
    Unsafe: it changes every completion. The fix keeps the leading space when the prefix
    starts with one (OpenAI's tool in v1 replaced every completion with garbage here).

    ## References
    - openai-python `_validators.py` (`common_completion_prefix`), corrupting since 6817fcd8
    """

    code = "SP008"
    name = "common-completion-prefix"
    group = "separators"
    default_severity = Severity.INFO
    fix_availability = FixAvailability.ALWAYS
    Options = Options
    options: _Options  # the typed view of this rule's options
    field = "completion"

    def finish(self) -> Iterator[Finding]:
        yield from self.shared_prefix(
            self.options.min_length,
            "all {n:,} completions start with the same text {prefix}",
            "Remove the prefix {prefix} from all completions, keeping the leading space",
            keep_space=True,
        )
