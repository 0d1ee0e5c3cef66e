from __future__ import annotations

from collections.abc import Iterator

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind
from ftprep.core.rule import Rule, RuleContext, Scope
from ftprep.rules.trainer._trainer import chat_setup


class StringArguments(Collector):
    """How many conversations give tool-call arguments as a JSON string, and the first."""

    targets = frozenset({Kind.CHAT})

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.count = 0
        self.first: int | None = None

    def feed(self, batch: Batch) -> None:
        for record in batch.records:
            if _has_string_arguments(record.data.get("messages")):
                self.count += 1
                if self.first is None:
                    self.first = record.index

    def merge(self, other: Collector) -> None:
        assert isinstance(other, StringArguments)
        if self.first is None:
            self.first = other.first
        self.count += other.count


def _has_string_arguments(messages: object) -> bool:
    if not isinstance(messages, list):
        return False
    for message in messages:
        calls = message.get("tool_calls") if isinstance(message, dict) else None
        for call in calls if isinstance(calls, list) else ():
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                return True
    return False


class ToolArgumentsEncodedTwice(Rule):
    """## What it does
    Renders a tool call whose `arguments` is a JSON string (OpenAI's format) with the
    model's chat template and, when the template writes it back as a quoted, escaped string
    (`"arguments": "{\\"city\\": ...}"`), reports the conversations that give arguments as
    strings, once for the file.

    ## Why is this bad?
    Hugging Face templates expect `arguments` as an object and encode it with `tojson`: a
    string is encoded a second time, so the model learns to emit JSON inside a string, not
    the tool-call format it will be parsed with at inference.

    ## Example
    Qwen2.5's template with `{"function": {"name": "get_weather", "arguments":
    "{\\"city\\": \\"Paris\\"}"}}` renders `"arguments": "{\\"city\\": \\"Paris\\"}"`.

    ## Use instead
    Give `arguments` as a JSON object for this template (keep strings for OpenAI, whose
    format requires them).

    ## Options
    None.

    ## Fix safety
    No fix yet: which form is right depends on the target.

    ## References
    - TRL docs, "Tool calling" dataset format; Qwen2.5 and Llama 3.1 chat templates
    """

    code = "TR009"
    name = "tool-arguments-encoded-twice"
    group = "trainer"
    scope = Scope.DATASET
    targets = frozenset({Kind.CHAT})
    default_severity = Severity.WARNING

    def collects(self) -> Collects | None:
        setup = chat_setup(self.ctx)
        if setup is None or not setup.template.quotes_string_arguments:
            return None
        return Collects(StringArguments)

    def finish(self) -> Iterator[Finding]:
        setup = chat_setup(self.ctx)
        tally = self.collected
        if setup is None or not isinstance(tally, StringArguments) or not tally.count:
            return
        many = "a conversation gives" if tally.count == 1 else f"{tally.count:,} conversations give"
        yield Finding(
            f"{many} tool-call arguments as a JSON string (the first is here), which "
            f"{setup.tokenizer}'s chat template encodes again, as a quoted string: give "
            "`arguments` as an object for this template",
            record=tally.first,
            data={"conversations": tally.count},
        )
