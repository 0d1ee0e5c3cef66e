"""Shared plumbing for the near-duplicate rules: one MinHash signature per record.

DP002 (inside a split) and DP003 (across splits) read the same signatures, a tally the
engine owns: computed in the worker processes and merged compactly (512 bytes a record).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import Field

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.model import Record
from ftprep.core.rule import Rule, RuleContext, RuleOptions
from ftprep.rules.texts import comparable_form

if TYPE_CHECKING:  # pragma: no cover - numpy and datasketch load only when a rule runs
    import numpy as np

    from ftprep.core.similarity import SignatureCache, SignatureIndex


class Options(RuleOptions):
    threshold: float = Field(default=0.8, gt=0, le=1)
    """Jaccard similarity of the shingle sets at or above which two records are near-duplicates."""


_Options = Options  # the class body's `Options` names the rule's attribute

# New signatures held in the main process before they are written to the cache (~14 MB).
FLUSH_EVERY = 25_000


@dataclass
class Signatures:
    """Record indexes and their MinHash signatures, in input order."""

    indexes: array[int]
    data: bytearray

    @classmethod
    def empty(cls) -> Signatures:
        return cls(array("I"), bytearray())

    def add_many(self, indexes: list[int], rows: np.ndarray) -> None:
        """Append records' signatures (one row each, in input order)."""
        self.indexes.extend(indexes)
        self.data += rows.tobytes()

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


class RecordSignatures(Collector):
    """The engine-owned MinHash signature of every record of a split that has words."""

    costly = True

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.signatures = Signatures.empty()
        self._pairs: dict[float, list[tuple[int, int, float]]] = {}
        # Signatures computed in this run and not yet in the cache: (key, signature).
        self.fresh: list[tuple[bytes, bytes]] = []
        self._cache: SignatureCache | None = None

    def __getstate__(self) -> dict[str, object]:
        state = super().__getstate__()
        state["_cache"] = None  # a database connection stays in its process
        return state

    @property
    def cache(self) -> SignatureCache:
        from ftprep.core.similarity import SignatureCache

        if self._cache is None:
            self._cache = SignatureCache()
        return self._cache

    def feed(self, batch: Batch) -> None:
        from ftprep.core.similarity import sign_forms

        ctx = self.ctx
        forms = [comparable_form(record, ctx.shared_text) for record in batch.records]
        # A record without words is like every other one: not compared.
        present, rows, fresh = sign_forms(forms, ctx.word_shingles, self.cache)
        records = batch.records
        self.signatures.add_many([records[i].index for i in present.tolist()], rows)
        self.fresh += fresh

    def merge(self, other: Collector) -> None:
        assert isinstance(other, RecordSignatures)
        self.signatures.merge(other.signatures)
        self.fresh += other.fresh
        if len(self.fresh) >= FLUSH_EVERY:  # merged in the main process: written as it goes
            self.done()

    def done(self) -> None:
        """Write the signatures computed anew to the cache."""
        if self.fresh:
            self.cache.put_many(self.fresh)
            self.fresh = []

    def near_pairs(self, threshold: float) -> list[tuple[int, int, float]]:
        """Confirmed (later, earlier, similarity) pairs at ``threshold``, in input order:
        each record's earliest near-duplicate and enough pairs to connect every cluster
        (:mod:`ftprep.core.neardup`); exact copies are left to the exact-duplicate rule.
        Computed once per threshold (the rule's findings and ``split`` both ask)."""
        from ftprep.core.neardup import SelfMatches, ShingleSets, with_plausible_mate
        from ftprep.rules.duplicates.exact_duplicate import record_fingerprint

        found_pairs = self._pairs.get(threshold)
        if found_pairs is not None:
            return found_pairs
        if not len(self.signatures.indexes):
            return []
        ctx = self.ctx
        lsh = self.signatures.index(threshold)
        rows, buckets = with_plausible_mate(lsh.signatures, lsh.buckets(), threshold)
        wanted = {int(k) for k in lsh.keys[sorted(rows)].tolist()}
        # One pass over the file fetches every record that may be compared, kept as its
        # fingerprint and shingles.
        shingles = shingles_of(ctx.shared_text, ctx.word_shingles)
        assert ctx.fetch is not None  # concluding in the main process, which can re-read
        found = ctx.fetch(wanted, lambda r: (record_fingerprint(r.data), shingles(r)))
        fingerprints = {i: f for i, (f, _) in found.items()}
        sets = {i: s for i, (_, s) in found.items()}
        del found
        confirmed = SelfMatches(lsh, ShingleSets(sets, sets), threshold).run(buckets)
        pairs = self._pairs[threshold] = [
            (later, earlier, sim)
            for later, earlier, sim in confirmed
            if fingerprints.get(later) != fingerprints.get(earlier)
        ]
        return pairs


class SignatureRule(Rule):
    """A rule that needs every record's signature; subclasses say when they are active."""

    compares_texts = True

    Options = Options
    options: _Options  # the typed view of this rule's options

    def active(self) -> bool:
        return True

    def collects(self) -> Collects | None:
        return Collects(RecordSignatures) if self.active() else None

    @property
    def signatures(self) -> Signatures | None:
        collected: RecordSignatures | None = self.collected
        return collected.signatures if collected is not None else None


def shingles_of(
    shared: dict[str, tuple[str, str]] | None, words_mode: bool | None
) -> Callable[[Record], np.ndarray]:
    """A record's exact shingle set, as its signature was computed (for fetch's ``keep``)."""
    import numpy as np

    from ftprep.core.similarity import batch_shingle_hashes

    def of(record: Record) -> np.ndarray:
        (hashes,) = batch_shingle_hashes([comparable_form(record, shared)], words_mode)
        return np.unique(hashes)

    return of
