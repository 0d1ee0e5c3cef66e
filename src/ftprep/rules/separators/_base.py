"""Shared plumbing for the separator rules: one :class:`EndingStats` per field and job.

Eight rules read how prompts and completions end. Each record's ending is computed once:
the first rule of a field created for a job owns the statistics and feeds them; the others
read the same object. Owners alone hand their state back from workers and merge it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from ftprep.core.diagnostic import Finding
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule, Scope
from ftprep.rules.separators.endings import (
    PROMPT_FALLBACK,
    PROMPT_SEPARATORS,
    STOP_FALLBACK,
    STOP_SEQUENCES,
    EndingStats,
)

CANDIDATES = {
    "prompt": (*PROMPT_SEPARATORS, PROMPT_FALLBACK),
    "completion": (*STOP_SEQUENCES, STOP_FALLBACK),
}


class FieldEndingRule(Rule):
    """A dataset rule that watches how one field of completion records ends."""

    scope = Scope.DATASET
    targets = frozenset({Kind.COMPLETION})
    field: ClassVar[str] = "prompt"

    def __init__(self, options: Any, ctx: Any) -> None:
        super().__init__(options, ctx)
        shared = ctx.extra.setdefault("shared", {})
        key = ("endings", self.field)
        if key not in shared:
            shared[key] = (self, EndingStats(CANDIDATES[self.field], track_records=True))
        owner, self.stats = shared[key]
        self.owner = owner is self
        self.wants_records = self.owner
        # Candidates a user configured must be watched too ("found in no prompt").
        extra = tuple(getattr(options, "candidates", ()))
        self.stats.candidates = tuple(dict.fromkeys((*self.stats.candidates, *extra)))

    def check_record(self, record: Record) -> Iterable[Finding]:
        if self.owner:
            value = record.data.get(self.field)
            if isinstance(value, str):
                self.stats.add(record.index, value)
        return ()

    def state(self) -> EndingStats | None:
        return self.stats if self.owner else None

    def merge(self, state: EndingStats | None) -> None:
        if self.owner and state is not None:
            self.stats.merge(state)
