from __future__ import annotations

from pydantic import Field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, DropRecord, Fix, FixAvailability
from ftprep.core.model import Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule, RuleOptions


class Options(RuleOptions):
    max_tokens: int | None = Field(default=None, ge=1)
    """Override the model's per-example limit from `rules/models.toml`."""


_Options = Options  # the class body's `Options` names the rule's attribute


class ExampleOverTokenLimit(Rule):
    """## What it does
    Counts each example's tokens exactly, with the target model's tokenizer and OpenAI's
    chat overhead (message framing, names, tool definitions), and reports examples longer
    than the model's per-example training limit.

    ## Why is this bad?
    OpenAI truncates longer examples from the end, so the answer the example exists for is
    the part that is cut; other trainers drop them silently.

    ## Example
    A 70,000-token chat example for `gpt-4.1-mini` (limit 65,536).

    ## Use instead
    Split the conversation, shorten the context, or choose a model with a longer limit.

    ## Options
    - `max-tokens`: override the limit for the chosen model.

    ## Fix safety
    Unsafe: the fix drops the example. Truncating it is display-only advice, because a cut
    answer is worse than none.

    ## References
    - OpenAI fine-tuning guide, "Token limits"; openai/openai-cookbook chat data prep
    """

    code = "TK001"
    name = "example-over-token-limit"
    group = "tokens"
    default_severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS
    needs_tokens = True
    Options = Options
    options: _Options  # the typed view of this rule's options

    def prefilter(self) -> Prefilter:
        """Only the records over the limit are checked one by one."""
        limit = self.options.max_tokens or self.ctx.model.max_tokens
        return Prefilter(record=lambda r: r.tokens is not None and r.tokens > limit)

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        limit = self.options.max_tokens or self.ctx.model.max_tokens
        if record.tokens is not None and record.tokens > limit:
            out.append(
                Finding(
                    f"{record.tokens:,} tokens, over the {limit:,}-token limit of "
                    f"{self.ctx.model.name} ({self.ctx.model.encoding}); training would cut the "
                    f"last {record.tokens - limit:,} tokens",
                    fix=Fix(
                        title="Drop this example",
                        edits=(DropRecord(record=record.index),),
                        applicability=Applicability.UNSAFE,
                    ),
                    data={"tokens": record.tokens, "limit": limit},
                )
            )
        return out
