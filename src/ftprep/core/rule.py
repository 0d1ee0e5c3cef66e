"""The rule contract: metadata as class constants, checks returning findings.

A rule never prints and never decides its own code or severity: it returns
:class:`~ftprep.core.diagnostic.Finding` objects and the engine stamps them.
Record-scope rules look at one record at a time: ``check_record`` runs once per record per
rule, a million times on a large file, so it returns a list (empty when the record is fine)
rather than build a generator; the hottest rules also scan a whole job's records at once in
``check_batch``. Dataset-scope rules conclude in :meth:`Rule.finish` from the tally they
declare with :meth:`Rule.collects` (a :class:`~ftprep.core.collector.Collector` the engine
owns, feeds and merges across worker processes); a few keep a small state of their own,
mergeable with :meth:`Rule.merge`. Splits-scope rules compare finished splits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ftprep.core.context import RuleContext as RuleContext  # re-exported: rules take it here
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.model import ALL_KINDS, Batch, Kind, Record

if TYPE_CHECKING:  # pragma: no cover
    from ftprep.core.collector import Collects


class Scope(str, Enum):
    RECORD = "record"  # one record at a time
    DATASET = "dataset"  # whole split, reported in finish()
    SPLITS = "splits"  # several splits together (train vs validation)


class NoOptions(BaseModel):
    """This rule has no options."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleOptions(BaseModel):
    """Base for rule options: frozen, strict, with kebab-case aliases for config files.

    Each field is documented by a docstring under it (a test checks). Pydantic is not asked
    to read them (``use_attribute_docstrings``): that parses the source at import time and
    cost every run ~40 ms, and nothing at run time shows them.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        alias_generator=lambda name: name.replace("_", "-"),
    )


class Rule:
    """Base class for every rule. Subclasses set the class constants and override checks."""

    code: ClassVar[str]
    name: ClassVar[str]
    group: ClassVar[str]
    scope: ClassVar[Scope] = Scope.RECORD
    targets: ClassVar[frozenset[Kind]] = ALL_KINDS
    default_severity: ClassVar[Severity] = Severity.ERROR
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    aliases: ClassVar[tuple[str, ...]] = ()
    Options: ClassVar[type[BaseModel]] = NoOptions
    # Whether the engine must count tokens for every record before this rule sees it.
    needs_tokens: ClassVar[bool] = False
    # Milliseconds rather than microseconds per record (language detection, MinHash): the
    # engine then uses both cores on small files too.
    costly: ClassVar[bool] = False
    # Reported by the readers while parsing (IO rules); the class carries metadata and docs.
    reported_by_reader: ClassVar[bool] = False
    # Compares records' texts with each other: the engine samples the text they all share.
    compares_texts: ClassVar[bool] = False
    # Always runs, whatever is selected or ignored (a file that cannot be read is an error
    # under any selection), at its default severity or higher.
    always_on: ClassVar[bool] = False
    # Reports one informational summary of the data (tokens, cost): shown apart from the
    # findings, never counted, never failing a run.
    is_summary: ClassVar[bool] = False
    # False when check_record has nothing to do (a rule that only reports in finish(), or
    # one reading statistics another instance collects): the engine then skips the calls.
    wants_records: bool = True

    def __init__(self, options: BaseModel, ctx: RuleContext) -> None:
        self.options = options
        self.ctx = ctx
        # The tally declared by collects(), merged over the whole split (set by the engine).
        self.collected: Any = None

    def start(self) -> Iterator[Finding]:
        return iter(())

    def check_record(self, record: Record) -> Iterable[Finding]:
        """Findings for one record; an empty sequence (not a generator) when it is fine.

        A rule that only tallies (it defines :meth:`check_batch` alone) checks one record
        as a batch of one.
        """
        if self.checks_batches():
            return [finding for _, finding in self.check_batch(Batch([record]))]
        return ()

    def check_batch(self, batch: Batch) -> Iterable[tuple[Record, Finding]]:
        """Findings for a job's records, as (record, finding) pairs in record order.

        The engine calls this instead of :meth:`check_record` when a rule overrides it. A
        rule whose findings are rare scans all the texts of the batch at once (C speed, one
        call) and checks only the records that scan could not rule out; a dataset rule that
        sums over texts sums over the joined batch. Either way the result must equal calling
        :meth:`check_record` on every record (``tests/test_batch_checks.py`` holds every
        rule to that; for a rule that only tallies, one batch against batches of one).
        """
        return self.check_each(batch.records)

    def check_each(self, records: Iterable[Record]) -> list[tuple[Record, Finding]]:
        """:meth:`check_record` on each record: the batch path's per-record fallback."""
        check = self.check_record
        return [(record, finding) for record in records for finding in check(record)]

    @classmethod
    def checks_batches(cls) -> bool:
        """Whether this rule has its own :meth:`check_batch`."""
        return cls.check_batch is not Rule.check_batch

    def collects(self) -> Collects | None:
        """The engine-owned tally this rule concludes from (:mod:`ftprep.core.collector`),
        or None. The engine sets :attr:`collected` to it before :meth:`finish`."""
        return None

    def finish(self) -> Iterable[Finding]:
        return ()

    @classmethod
    def compare(cls, splits: dict[str, Rule]) -> Iterable[tuple[str, Finding]]:
        """Splits scope: findings across splits, as (split the finding belongs to, finding).

        Called once per run after every split finished, with this rule's finished instance
        of each split (their ``ctx`` holds ``line_of`` and ``fetch``).
        """
        return ()

    # -- parallel runs ---------------------------------------------------------------
    def state(self) -> Any:
        """Picklable state a worker hands back; dataset rules override with their counters."""
        return None

    def merge(self, state: Any) -> None:
        """Fold a worker's state (from records that come after ours) into this instance."""
        if state is not None:
            raise NotImplementedError(f"{self.code} keeps state but cannot merge it")

    @classmethod
    def doc(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")
