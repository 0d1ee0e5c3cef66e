from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind
from ftprep.core.rule import Rule, RuleContext, Scope
from ftprep.rules.trainer._trainer import chat_setup


class WithoutSystem(Collector):
    """How many conversations have no system message first, and the first of them."""

    targets = frozenset({Kind.CHAT})

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.count = 0
        self.first: int | None = None

    def feed(self, batch: Batch) -> None:
        for record in batch.records:
            messages = record.data.get("messages")
            first = messages[0] if isinstance(messages, list) and messages else None
            if not (isinstance(first, dict) and first.get("role") == "system"):
                self.count += 1
                if self.first is None:
                    self.first = record.index

    def merge(self, other: Collector) -> None:
        assert isinstance(other, WithoutSystem)
        if self.first is None:
            self.first = other.first
        self.count += other.count


class TemplateAddsText(Rule):
    """## What it does
    Renders a conversation with and without a system message and reports (once for the
    file) the words the chat template writes that no message holds: a default system
    prompt, a knowledge cutoff or today's date.

    ## Why is this bad?
    Every row is trained with text that is not in the data: a default system prompt the
    model then expects at inference, or a date that differs between the training run and
    every later use (Unsloth #881).

    ## Example
    Qwen2.5's template adds "You are Qwen, created by Alibaba Cloud. You are a helpful
    assistant." to conversations without a system message; Llama 3.1's writes "Cutting
    Knowledge Date: December 2023" and "Today Date: 26 Jul 2024".

    ## Use instead
    Give every conversation the system message you will use at inference, or a template
    without the added text.

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - Unsloth #881; Qwen2.5 and Llama 3.1 chat templates
    """

    code = "TR008"
    name = "template-adds-text"
    group = "trainer"
    scope = Scope.DATASET
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.INFO

    def collects(self) -> Collects | None:
        return Collects(WithoutSystem) if chat_setup(self.ctx) is not None else None

    def finish(self) -> Iterator[Finding]:
        setup = chat_setup(self.ctx)
        tally = self.collected
        if setup is None or not isinstance(tally, WithoutSystem):
            return
        template = setup.template
        always, without = template.added_with_system, template.added_without_system
        if always:
            yield Finding(
                f"{setup.tokenizer}'s chat template adds text to every conversation: {always!r}",
                data={"text": always, "when": "always"},
            )
        elif without and tally.count:
            yield Finding(
                f"{setup.tokenizer}'s chat template adds text to "
                f"{_conversations(tally.count)} without a system message (the first is "
                f"here): {without!r}",
                record=tally.first,
                data={"text": without, "when": "without-system", "conversations": tally.count},
            )


def _conversations(n: int) -> str:
    return "the conversation" if n == 1 else f"the {n:,} conversations"
