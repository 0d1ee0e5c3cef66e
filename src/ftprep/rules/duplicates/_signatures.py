"""Shared plumbing for the near-duplicate rules: one MinHash signature per record.

DP002 (inside a split) and DP003 (across splits) read the same signatures. Like the
separator rules, the first of them created for a job owns the collection and feeds it;
signatures are computed in the worker processes and merged compactly (512 bytes a record).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field

from ftprep.core.diagnostic import Finding
from ftprep.core.model import Record
from ftprep.core.rule import Rule, RuleOptions
from ftprep.rules.texts import comparable_text

if TYPE_CHECKING:  # pragma: no cover - numpy and datasketch load only when a rule runs
    import numpy as np

    from ftprep.core.similarity import SignatureIndex


class Options(RuleOptions):
    threshold: float = Field(default=0.8, gt=0, le=1)
    """Jaccard similarity of the shingle sets at or above which two records are near-duplicates."""


@dataclass
class Signatures:
    """Record indexes and their MinHash signatures, in input order."""

    indexes: array
    data: bytearray

    @classmethod
    def empty(cls) -> Signatures:
        return cls(array("I"), bytearray())

    def add(self, index: int, values: np.ndarray) -> None:
        self.indexes.append(index)
        self.data += values.tobytes()

    def merge(self, other: Signatures) -> None:
        self.indexes.extend(other.indexes)
        self.data += other.data

    def matrix(self) -> np.ndarray:
        import numpy as np

        from ftprep.core.similarity import NUM_PERM

        # A view, not a copy (which would double the memory of a big set): called once the
        # set is complete, as the buffer cannot grow while viewed.
        return np.frombuffer(self.data, dtype=np.uint32).reshape(-1, NUM_PERM)

    def index(self, threshold: float) -> SignatureIndex:
        from ftprep.core.similarity import SignatureIndex

        lsh = SignatureIndex(threshold)
        lsh.add_all(self.indexes, self.matrix())
        return lsh


class SignatureRule(Rule):
    """A rule that needs every record's signature; subclasses say when they are active."""

    costly = True
    compares_texts = True

    Options = Options

    def __init__(self, options: Any, ctx: Any) -> None:
        super().__init__(options, ctx)
        self.owner = False
        self.signatures: Signatures | None = None
        if not self.active():
            self.wants_records = False
            return
        shared = ctx.extra.setdefault("shared", {})
        if "signatures" not in shared:
            shared["signatures"] = (self, Signatures.empty())
        owner, self.signatures = shared["signatures"]
        self.owner = owner is self
        self.wants_records = self.owner

    def active(self) -> bool:
        return True

    def check_record(self, record: Record) -> Iterable[Finding]:
        from ftprep.core.similarity import shingles, signature

        assert self.signatures is not None
        ctx = self.ctx
        hashes = shingles(comparable_text(record, ctx.shared_text), ctx.word_shingles)
        if len(hashes):  # a record without words is like every other one: not compared
            self.signatures.add(record.index, signature(hashes))
        return ()

    def state(self) -> Signatures | None:
        return self.signatures if self.owner else None

    def merge(self, state: Signatures | None) -> None:
        if self.owner and state is not None and self.signatures is not None:
            self.signatures.merge(state)


def shingles_of(
    shared: dict[str, tuple[str, str]] | None, words_mode: bool | None
) -> Callable[[Record], np.ndarray]:
    """A record's exact shingle set, as its signature was computed (for fetch's ``keep``)."""
    from ftprep.core.similarity import shingles

    def of(record: Record) -> np.ndarray:
        return shingles(comparable_text(record, shared), words_mode)

    return of
