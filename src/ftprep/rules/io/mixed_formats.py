from __future__ import annotations

from array import array
from collections.abc import Iterator

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, detect_kind
from ftprep.core.rule import Rule, RuleContext, Scope


class KindIndexes(Collector):
    """The records of each kind, by the keys they hold (not the kind the file was read as)."""

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.by_kind: dict[str, array[int]] = {k.value: array("I") for k in Kind}

    def feed(self, batch: Batch) -> None:
        by_kind = self.by_kind
        for record in batch.records:
            kind = detect_kind(record.data)
            if kind is not None:
                by_kind[kind.value].append(record.index)

    def merge(self, other: Collector) -> None:
        assert isinstance(other, KindIndexes)
        for kind, indexes in other.by_kind.items():
            self.by_kind[kind].extend(indexes)


class MixedFormats(Rule):
    """## What it does
    Reports records whose kind (chat, completion or preference) differs from the kind of
    most records in the file.

    ## Why is this bad?
    A fine-tuning job takes one kind of example. OpenAI and Together reject the file ("All
    samples in the dataset must have the same dataset format").

    ## Example
    ```jsonl
    {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]}
    {"prompt": "Hi", "completion": " Hello"}
    ```

    ## Use instead
    Convert the odd records to the file's kind, or move them to a file of their own.

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - togethercomputer/together-python#211
    """

    code = "IO008"
    name = "mixed-formats"
    group = "io"
    scope = Scope.DATASET
    default_severity = Severity.ERROR

    def collects(self) -> Collects:
        return Collects(KindIndexes)

    def finish(self) -> Iterator[Finding]:
        assert isinstance(self.collected, KindIndexes)
        by_kind = self.collected.by_kind
        counts = {k: len(v) for k, v in by_kind.items() if v}
        if len(counts) < 2:
            return
        main = (
            self.ctx.kind.value
            if self.ctx.kind.value in counts
            else max(counts, key=counts.__getitem__)
        )
        summary = ", ".join(f"{n:,} {k}" for k, n in sorted(counts.items()))
        for kind, indexes in sorted(by_kind.items()):
            if kind == main:
                continue
            for index in indexes:
                yield Finding(
                    f"a {kind} record in a file of {main} records ({summary})", record=index
                )
