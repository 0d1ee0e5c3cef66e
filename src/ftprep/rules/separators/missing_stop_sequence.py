from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.rule import RuleOptions
from ftprep.rules.separators._base import FieldEndingRule
from ftprep.rules.separators._endings import STOP_FALLBACK, STOP_SEQUENCES


class Options(RuleOptions):
    candidates: tuple[str, ...] = STOP_SEQUENCES
    """Stop sequences to suggest, in order; the first that no completion contains is chosen."""
    min_share: float = Field(default=0.5, ge=0, lt=1)
    """More than this share of completions must end with one stop sequence to have one."""


_Options = Options  # the class body's `Options` names the rule's attribute


class MissingStopSequence(FieldEndingRule):
    """## What it does
    Checks that the completions of a legacy prompt/completion dataset share a common ending
    (a stop sequence such as `\\n` or ` END`). Skipped for classification data (few
    distinct completions), where the answer is one short label, as OpenAI's tool did.

    ## Why is this bad?
    Without a stop sequence the model does not learn where to stop, and keeps generating
    after the answer.

    ## Example
    ```jsonl
    {"prompt": "Name a fruit ->", "completion": " apple"}
    {"prompt": "Name a colour ->", "completion": " blue"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "Name a fruit ->", "completion": " apple\\n"}
    {"prompt": "Name a colour ->", "completion": " blue\\n"}
    ```

    ## Options
    - `candidates`: stop sequences to suggest (`\\n`, `.`, ` END`, `***`, `+++`, `&&&`,
      `$$$`, `@@@`, `%%%`, then ` [END]`); the first found in no completion wins.
    - `min-share`: share of completions that must already end with one (default 0.5: more than half).

    ## Fix safety
    Safe: the fix appends a sequence that occurs in no completion.

    ## References
    - OpenAI legacy fine-tuning guide; openai-python `_validators.py` (`common_completion_suffix`)
    """

    code = "SP004"
    name = "missing-stop-sequence"
    group = "separators"
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    Options = Options
    options: _Options  # the typed view of this rule's options
    field = "completion"

    def finish(self) -> Iterator[Finding]:
        s = self.stats
        if s.n == 0 or s.is_classification or s.all_identical:
            return
        if s.common or s.dominant(self.options.min_share) is not None:
            return
        yield from self.missing_ending(
            self.options.candidates,
            STOP_FALLBACK,
            "so the model will not learn where to stop",
        )
