"""The rule contract: metadata as class constants, checks returning findings.

A rule never prints and never decides its own code or severity: it returns
:class:`~ftprep.core.diagnostic.Finding` objects and the engine stamps them.
A rule has one check path. ``check_record`` looks at one record: it may run a million
times on a large file, so it returns a list (empty when the record is fine) rather than
build a generator, and a rule whose findings are rare declares a :meth:`Rule.prefilter`
that the engine evaluates for a whole batch at C speed, so that the check sees only the few
records that could hold a finding. Dataset-scope rules conclude in :meth:`Rule.finish` from
the tally they declare with :meth:`Rule.collects` (a
:class:`~ftprep.core.collector.Collector` the engine owns, feeds and merges across worker
processes); they keep no state of their own. Splits-scope rules compare finished splits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ftprep.core.context import RuleContext as RuleContext  # re-exported: rules take it here
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import FixAvailability
from ftprep.core.model import ALL_KINDS, Kind, Record

if TYPE_CHECKING:  # pragma: no cover
    from ftprep.core.collector import Collects
    from ftprep.core.prefilter import Prefilter


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
    # Whether the engine must render every chat record with the run's tokenizer and
    # trainer (``--tokenizer``) before this rule sees it; idle without one.
    needs_rendering: ClassVar[bool] = False
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

    def __init__(self, options: BaseModel, ctx: RuleContext) -> None:
        self.options = options
        self.ctx = ctx
        # The tally declared by collects(), merged over the whole split (set by the engine).
        self.collected: Any = None

    def start(self) -> Iterator[Finding]:
        return iter(())

    def check_record(self, record: Record) -> Iterable[Finding]:
        """Findings for one record; an empty sequence (not a generator) when it is fine.

        The engine calls it only for records of the rule's ``targets`` that its
        :meth:`prefilter` lets through, and only when a subclass defines it.
        """
        return ()

    def prefilter(self) -> Prefilter | None:
        """What a record needs for :meth:`check_record` to find anything (asked once per
        rule instance): the engine evaluates it for a whole batch and checks only the
        records it lets through. None checks every record."""
        return None

    @classmethod
    def checks_records(cls) -> bool:
        """Whether this rule looks at records one by one (rules that only conclude from a
        collector in :meth:`finish` do not)."""
        return cls.check_record is not Rule.check_record

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

    @classmethod
    def doc(cls) -> str:
        import inspect

        return inspect.cleandoc(cls.__doc__ or "")
