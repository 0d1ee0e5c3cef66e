from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Edit, Fix, FixAvailability
from ftprep.core.rule import RuleOptions
from ftprep.rules.separators._base import FieldEndingRule
from ftprep.rules.texts import show


class Options(RuleOptions):
    min_length: int = 13
    """Report a shared prefix of at least this many characters (OpenAI's tool: over 12)."""


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
    field = "prompt"

    def finish(self) -> Iterator[Finding]:
        s = self.stats
        prefix = s.prefix or ""
        if s.n < 2 or len(prefix) < self.options.min_length:  # type: ignore[attr-defined]
            return
        if s.min_length is not None and s.min_length <= len(prefix):
            return  # some prompt is only the prefix: removing it would empty that prompt
        yield Finding(
            f"all {s.n:,} prompts start with the same {len(prefix)} characters {show(prefix, 60)}",
            fix=Fix(
                title=f"Remove the prefix {show(prefix, 60)} from all prompts",
                edits=(Edit("remove-prefix", None, "/prompt", value=prefix),),
                applicability=Applicability.UNSAFE,
            ),
            data={"prefix": prefix},
        )
