"""Shared plumbing for the separator rules: one :class:`EndingStats` per field and job.

Eight rules read how prompts and completions end. Each record's ending is computed once:
the first rule of a field created for a job owns the statistics and feeds them; the others
read the same object. Owners alone hand their state back from workers and merge it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from ftprep.core.diagnostic import Finding
from ftprep.core.fix import Applicability, Edit, Fix
from ftprep.core.model import Batch, Kind
from ftprep.core.rule import Rule, Scope
from ftprep.rules.separators.endings import (
    MAX_DISTINCT,
    PROMPT_FALLBACK,
    PROMPT_SEPARATORS,
    STOP_FALLBACK,
    STOP_SEQUENCES,
    EndingStats,
)
from ftprep.rules.texts import plural, show

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
            # Prompts are only asked whether they are all the same (a single distinct value).
            max_distinct = 1 if self.field == "prompt" else MAX_DISTINCT
            stats = EndingStats(
                CANDIDATES[self.field], track_records=True, max_distinct=max_distinct
            )
            shared[key] = (self, stats)
        owner, self.stats = shared[key]
        self.owner = owner is self
        self.wants_records = self.owner
        # Candidates a user configured must be watched too ("found in no prompt").
        extra = tuple(getattr(options, "candidates", ()))
        self.stats.candidates = tuple(dict.fromkeys((*self.stats.candidates, *extra)))

    def check_batch(self, batch: Batch) -> tuple[()]:
        if self.owner:
            field, records = self.field, batch.records
            values = [r.data.get(field) for r in records]
            if all(type(v) is str for v in values):  # the usual case: nothing to leave out
                self.stats.add_many([r.index for r in records], values)
            else:
                kept = [(r, v) for r, v in zip(records, values, strict=True) if isinstance(v, str)]
                self.stats.add_many([r.index for r, _ in kept], [v for _, v in kept])
        return ()

    def state(self) -> EndingStats | None:
        return self.stats if self.owner else None

    def merge(self, state: EndingStats | None) -> None:
        if self.owner and state is not None:
            self.stats.merge(state)

    # -- conclusions shared by the prompt and completion rules ----------------------------
    def missing_ending(
        self, candidates: tuple[str, ...], fallback: str, consequence: str
    ) -> Iterator[Finding]:
        """One finding when the texts share no ending at all, with a fix appending one."""
        s, field = self.stats, self.field
        sep = s.first_unused(candidates, fallback)
        fix = None
        if sep is not None:
            fix = Fix(
                title=f"Append {show(sep)} to all {s.n:,} {field}s",
                edits=(Edit("append", None, "/" + field, value=sep),),
                applicability=Applicability.SAFE,
            )
        yield Finding(
            f"{plural(s.n, field)} share no common ending, {consequence}"
            + (f"; {show(sep)} occurs in no {field}" if sep else ""),
            fix=fix,
            data={f"{field}s": s.n, "suggested": sep},
        )

    def inconsistent_endings(self, noun: str, data_key: str) -> Iterator[Finding]:
        """A finding (and an append fix) per text lacking the dominant ending."""
        s, field = self.stats, self.field
        found = s.dominant(self.options.min_share)  # type: ignore[attr-defined]
        if found is None or found[1] == s.n:
            return
        sep, count = found
        for index in s.records_without(sep):
            yield Finding(
                f"{field} does not end with the {noun} {show(sep)}, which {count:,} of "
                f"{s.n:,} {field}s end with",
                record=index,
                pointer="/" + field,
                fix=Fix(
                    title=f"Append {show(sep)} to the {field}",
                    edits=(Edit("append", index, "/" + field, value=sep),),
                    applicability=Applicability.SAFE,
                ),
                data={data_key: sep},
            )

    def repeated_endings(self, message: str) -> Iterator[Finding]:
        """A finding per text that holds the dominant ending before its end as well."""
        found = self.stats.dominant(self.options.min_share)  # type: ignore[attr-defined]
        if found is None:
            return
        for index in self.stats.records_repeating(found[0]):
            yield Finding(message.format(show(found[0])), record=index, pointer="/" + self.field)

    def shared_prefix(
        self, min_length: int, message: str, title: str, keep_space: bool
    ) -> Iterator[Finding]:
        """One finding when every text starts with the same long text, fix removing it."""
        s, field = self.stats, self.field
        prefix = s.prefix or ""
        if s.n < 2 or len(prefix) < min_length:
            return
        if s.min_length is not None and s.min_length <= len(prefix):
            return  # some text is only the prefix: removing it would empty that text
        shown = show(prefix, 60)
        yield Finding(
            message.format(n=s.n, length=len(prefix), prefix=shown),
            fix=Fix(
                title=title.format(prefix=shown),
                edits=(
                    Edit("remove-prefix", None, "/" + field, value=prefix, old=keep_space or None),
                ),
                applicability=Applicability.UNSAFE,
            ),
            data={"prefix": prefix},
        )
