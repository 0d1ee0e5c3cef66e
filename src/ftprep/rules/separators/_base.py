"""Shared plumbing for the separator rules: one :class:`FieldEndings` tally per field.

Eight rules read how prompts and completions end. Each record's ending is computed once,
by the tally the engine owns and feeds; every rule of the field reads the merged result.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.diagnostic import Finding
from ftprep.core.fix import Applicability, Fix, TextEdit
from ftprep.core.model import Kind
from ftprep.core.rule import Rule, RuleContext, Scope
from ftprep.rules.separators._endings import (
    MAX_DISTINCT,
    PROMPT_FALLBACK,
    PROMPT_SEPARATORS,
    STOP_FALLBACK,
    STOP_SEQUENCES,
    EndingStats,
    texts,
)
from ftprep.rules.texts import plural, show

CANDIDATES = {
    "prompt": (*PROMPT_SEPARATORS, PROMPT_FALLBACK),
    "completion": (*STOP_SEQUENCES, STOP_FALLBACK),
}


class FieldEndings(Collector):
    """The engine-owned endings of one field of completion records.

    Its parameters: the field, and the candidate endings a rule's configuration adds to
    the usual ones (they must be watched too: "found in no prompt").
    """

    targets = frozenset({Kind.COMPLETION})

    def __init__(self, ctx: RuleContext, field: str, extra: tuple[str, ...]) -> None:
        super().__init__(ctx)
        self.field = field
        # Prompts are only asked whether they are all the same (a single distinct value).
        max_distinct = 1 if field == "prompt" else MAX_DISTINCT
        candidates = tuple(dict.fromkeys((*CANDIDATES[field], *extra)))
        self.stats = EndingStats(candidates, track_records=True, max_distinct=max_distinct)

    def feed(self, batch: Batch) -> None:
        field, records = self.field, batch.records
        values = [r.data.get(field) for r in records]
        if all(type(v) is str for v in values):  # the usual case: nothing to leave out
            self.stats.add_many([r.index for r in records], values)  # type: ignore[arg-type]  # all str, checked above
        else:
            kept = [(r, v) for r, v in zip(records, values, strict=True) if isinstance(v, str)]
            self.stats.add_many([r.index for r, _ in kept], [v for _, v in kept])

    def merge(self, other: Collector) -> None:
        assert isinstance(other, FieldEndings)
        self.stats.merge(other.stats)


class FieldEndingRule(Rule):
    """A dataset rule concluding from how one field of completion records ends."""

    scope = Scope.DATASET
    targets = frozenset({Kind.COMPLETION})
    field: ClassVar[str] = "prompt"

    def collects(self) -> Collects:
        # Only configured candidates beyond the usual ones make a tally of their own.
        usual = CANDIDATES[self.field]
        extra = tuple(c for c in getattr(self.options, "candidates", ()) if c not in usual)
        return Collects(FieldEndings, (self.field, extra))

    @property
    def stats(self) -> EndingStats:
        endings: FieldEndings = self.collected
        return endings.stats

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
                edits=(TextEdit(action="append", record=None, pointer="/" + field, text=sep),),
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
        found = s.dominant(self.options.min_share)  # type: ignore[attr-defined]  # rules using it have min_share
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
                    edits=(TextEdit(action="append", record=index, pointer="/" + field, text=sep),),
                    applicability=Applicability.SAFE,
                ),
                data={data_key: sep},
            )

    def repeated_endings(self, message: str) -> Iterator[Finding]:
        """A finding per text that holds the dominant ending before its end as well."""
        found = self.stats.dominant(self.options.min_share)  # type: ignore[attr-defined]  # as above
        if found is None:
            return
        fetch, field = self.ctx.fetch, self.field

        def texts_of(indexes: list[int]) -> dict[int, str]:
            records = fetch(indexes) if fetch is not None else {}
            return {i: texts(r.data, field) or "" for i, r in records.items()}

        for index in self.stats.records_repeating(found[0], texts_of):
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
                    TextEdit(
                        action="remove-prefix",
                        record=None,
                        pointer="/" + field,
                        text=prefix,
                        keep_space=keep_space,
                    ),
                ),
                applicability=Applicability.UNSAFE,
            ),
            data={"prefix": prefix},
        )
