"""Collectors: the dataset-level tallies the engine owns.

Several rules often conclude from one tally (five class rules read the labels, eight
separator rules the endings, LG001 and LG002 the language detections, DP002 and DP003 the
MinHash signatures). The engine creates each tally once per split, from the rule's
:class:`Collects` declaration (the collector's class and its own parameters, never another
rule's options), feeds it every batch of the records it targets, merges the workers' (and
Dask partitions') tallies in input order, and hands the result to every rule that declared
it before their ``finish``. Two rules asking for the same class with the same parameters
share one tally; with different parameters each gets its own.

A collector's state must not depend on the interpreter's hash seed: worker processes and
Dask partitions may run in other interpreters, and their tallies are compared.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar

from ftprep.core.batch import Batch
from ftprep.core.context import RuleContext
from ftprep.core.model import ALL_KINDS, Kind


class Collector:
    """A mergeable tally fed once per batch. Subclasses keep compact, picklable state."""

    # The record kinds a batch is filtered to before :meth:`feed` sees it.
    targets: ClassVar[frozenset[Kind]] = ALL_KINDS
    # Milliseconds per record (language detection, MinHash): small files use both cores.
    costly: ClassVar[bool] = False

    def __init__(self, ctx: RuleContext, *params: Hashable) -> None:
        self.ctx = ctx

    def feed(self, batch: Batch) -> None:
        """Tally one batch's records (all of the collector's target kinds, in order)."""

    def merge(self, other: Collector) -> None:
        """Fold a tally of the records that come after this one's."""
        raise NotImplementedError

    def done(self) -> None:
        """Called once in the main process when every batch is merged, before any rule
        concludes (a collector with a cache writes it here)."""

    def __getstate__(self) -> dict[str, object]:
        # The context travels separately to workers; a tally sent back carries none.
        state = dict(self.__dict__)
        state["ctx"] = None
        return state


@dataclass(frozen=True)
class Collects:
    """A rule's declaration of the tally it reads: the class and its own parameters."""

    collector: type[Collector]
    params: tuple[Hashable, ...] = ()

    def create(self, ctx: RuleContext) -> Collector:
        return self.collector(ctx, *self.params)
