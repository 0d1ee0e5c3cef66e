from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import RuleOptions
from ftprep.rules.separators._base import FieldEndingRule


class Options(RuleOptions):
    min_length: int = Field(default=13, ge=1)
    """Report a shared prefix of at least this many characters (OpenAI's tool: over 12)."""


_Options = Options  # the class body's `Options` names the rule's attribute


class CommonPromptPrefix(FieldEndingRule):
    """## What it does
    Reports that every prompt starts with the same long text, such as a repeated
    instruction or few-shot preamble.

    ## Why is this bad?
    A fine-tuned model learns the task from the examples; a repeated instruction only costs
    tokens in every example, at training and at inference.

    ## Example
    ```jsonl
    {"prompt": "Classify the sentiment of this review: great film ->", "completion": " positive"}
    {"prompt": "Classify the sentiment of this review: dull ->", "completion": " negative"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "great film ->", "completion": " positive"}
    {"prompt": "dull ->", "completion": " negative"}
    ```

    ## Options
    - `min-length`: shortest prefix worth reporting (default 13).

    ## Fix safety
    Unsafe: removing the prefix changes every prompt, and the prompts you send at inference
    must change the same way.

    ## References
    - openai-python `_validators.py` (`common_prompt_prefix`, `MAX_PREFIX_LEN = 12`)
    """

    code = "SP007"
    name = "common-prompt-prefix"
    group = "separators"
    default_severity = Severity.INFO
    fix_availability = FixAvailability.ALWAYS
    Options = Options
    options: _Options  # the typed view of this rule's options
    field = "prompt"

    def finish(self) -> Iterator[Finding]:
        yield from self.shared_prefix(
            self.options.min_length,
            "all {n:,} prompts start with the same {length} characters {prefix}",
            "Remove the prefix {prefix} from all prompts",
            keep_space=False,
        )
