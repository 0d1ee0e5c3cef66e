from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from typing import Any

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Kind, Record, detect_kind
from ftprep.core.rule import Rule, Scope


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

    def __init__(self, options: Any, ctx: Any) -> None:
        super().__init__(options, ctx)
        self.by_kind: dict[str, array[int]] = {k.value: array("I") for k in Kind}

    def check_record(self, record: Record) -> Iterable[Finding]:
        kind = detect_kind(record.data)
        if kind is not None:
            self.by_kind[kind.value].append(record.index)
        return ()

    def state(self) -> dict[str, array[int]]:
        return self.by_kind

    def merge(self, state: dict[str, array[int]]) -> None:
        for kind, indexes in state.items():
            self.by_kind[kind].extend(indexes)

    def finish(self) -> Iterator[Finding]:
        counts = {k: len(v) for k, v in self.by_kind.items() if v}
        if len(counts) < 2:
            return
        main = (
            self.ctx.kind.value
            if self.ctx.kind.value in counts
            else max(counts, key=counts.__getitem__)
        )
        summary = ", ".join(f"{n:,} {k}" for k, n in sorted(counts.items()))
        for kind, indexes in sorted(self.by_kind.items()):
            if kind == main:
                continue
            for index in indexes:
                yield Finding(
                    f"a {kind} record in a file of {main} records ({summary})", record=index
                )
