from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import RuleOptions
from ftprep.rules.separators._base import FieldEndingRule
from ftprep.rules.separators._endings import PROMPT_FALLBACK, PROMPT_SEPARATORS


class Options(RuleOptions):
    candidates: tuple[str, ...] = PROMPT_SEPARATORS
    """Separators to suggest, in order; the first that no prompt contains is chosen."""
    min_share: float = Field(default=0.5, ge=0, lt=1)
    """More than this share of prompts must end with one separator for the data to have one."""


_Options = Options  # the class body's `Options` names the rule's attribute


class MissingPromptSeparator(FieldEndingRule):
    """## What it does
    Checks that the prompts of a legacy prompt/completion dataset share a common ending (a
    separator such as `\\n\\n###\\n\\n` or ` ->`) that marks where the completion starts.
    Skipped for open-ended generation (every prompt empty).

    ## Why is this bad?
    Without a fixed separator the model cannot tell where the prompt ends, so at inference
    it keeps writing the prompt instead of answering.

    ## Example
    ```jsonl
    {"prompt": "Review: great film", "completion": " positive"}
    {"prompt": "Review: dull plot", "completion": " negative"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "Review: great film\\n\\n###\\n\\n", "completion": " positive"}
    {"prompt": "Review: dull plot\\n\\n###\\n\\n", "completion": " negative"}
    ```

    ## Options
    - `candidates`: separators to suggest, first one found in no prompt wins (` ->` is
      skipped when a prompt contains a newline; `\\n\\n### =>\\n\\n` is the last resort).
    - `min-share`: share of prompts that must already end with one separator (default 0.5: more than half).

    ## Fix safety
    Safe: the fix appends a separator that occurs in no prompt, so it cannot be confused
    with the prompt's text. No fix when every candidate already occurs in some prompt.

    ## References
    - OpenAI legacy fine-tuning guide, "Preparing your dataset";
      openai-python `_validators.py` (`common_completion_suffix` for prompts)
    """

    code = "SP001"
    name = "missing-prompt-separator"
    group = "separators"
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    Options = Options
    options: _Options  # the typed view of this rule's options
    field = "prompt"

    def finish(self) -> Iterator[Finding]:
        s = self.stats
        if s.n == 0 or s.empty == s.n or s.all_identical:
            return
        if s.common or s.dominant(self.options.min_share) is not None:
            return
        yield from self.missing_ending(
            self.options.candidates,
            PROMPT_FALLBACK,
            "so the model cannot tell where a prompt stops and the completion starts",
        )
