"""Shared plumbing for the separator rules: one :class:`EndingStats` over one field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from ftprep.core.diagnostic import Finding
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule, Scope
from ftprep.rules.separators.endings import EndingStats


class FieldEndingRule(Rule):
    """A dataset rule that watches how one field of completion records ends."""

    scope = Scope.DATASET
    targets = frozenset({Kind.COMPLETION})
    field: ClassVar[str] = "prompt"
    candidates: ClassVar[tuple[str, ...]] = ()
    track_records: ClassVar[bool] = False

    def __init__(self, options: Any, ctx: Any) -> None:
        super().__init__(options, ctx)
        self.stats = EndingStats(self.candidates, self.track_records)

    def check_record(self, record: Record) -> Iterable[Finding]:
        value = record.data.get(self.field)
        if isinstance(value, str):
            self.stats.add(record.index, value)
        return ()

    def state(self) -> EndingStats:
        return self.stats

    def merge(self, state: EndingStats) -> None:
        self.stats.merge(state)
