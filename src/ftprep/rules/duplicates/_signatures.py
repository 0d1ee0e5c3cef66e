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

        return np.frombuffer(bytes(self.data), dtype=np.uint32).reshape(-1, NUM_PERM)

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


Fetch = Callable[[Iterable[int]], dict[int, Record]]


def confirm(
    pairs: dict[tuple[int, int], None],
    fetch_a: Fetch,
    fetch_b: Fetch,
    threshold: float,
    shared: dict[str, tuple[str, str]] | None = None,
    words_mode: bool | None = None,
) -> list[tuple[int, int, float]]:
    """Keep the candidate pairs (a, b) whose exact Jaccard similarity reaches ``threshold``."""
    from ftprep.core.similarity import jaccard, shingles

    if not pairs:
        return []
    a_records = fetch_a({a for a, _ in pairs})
    b_records = fetch_b({b for _, b in pairs})
    cache: dict[tuple[str, int], np.ndarray] = {}

    def shingles_of(side: str, records: dict[int, Record], index: int) -> np.ndarray | None:
        key = (side, index)
        if key not in cache:
            record = records.get(index)
            cache[key] = (  # type: ignore[assignment]
                shingles(comparable_text(record, shared), words_mode) if record else None
            )
        return cache[key]

    confirmed = []
    for a, b in pairs:
        sa, sb = shingles_of("a", a_records, a), shingles_of("b", b_records, b)
        if sa is None or sb is None:
            continue
        similarity = jaccard(sa, sb)
        if similarity >= threshold:
            confirmed.append((a, b, similarity))
    return confirmed
