"""Confirming near-duplicate candidates with bounded work.

An LSH bucket holds the records that share one band of their MinHash signature. Buckets
are small on ordinary data, but on templated data (thousands of records that differ in a
name or a number) one bucket can hold most of the dataset, and confirming all its pairs is
quadratic: 9,000 such records once took 430 s and 4.6 GB. So each bucket is worked through
by leaders: its earliest record is compared with all the others at once, first by how many
signature values they share (a vector operation), then, for the likely ones, by the exact
Jaccard similarity of their shingle sets (one vectorised pass). Those confirmed leave the
bucket, and the earliest of the rest leads next, at most :data:`MAX_LEADERS` times. A
leader is also tried against the records that joined earlier leaders, so that chains of
near-duplicates stay connected. A record that already has a partner in the leader's cluster
is not confirmed again, and a refused pair is never tried twice.

The result is what the rules need, not every pair: each record's earliest confirmed partner
(DP002's finding) and the pairs that connect every cluster (split keeps a cluster whole).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from ftprep.core.similarity import SignatureIndex

MAX_LEADERS = 16
# A pair whose signatures agree on fewer than threshold - margin of their values is not
# confirmed: with 128 values the estimate's standard error near 0.8 is about 0.035, so a
# pair at the threshold passes with 99.8% and one above 0.85 with 99.99%.
ESTIMATE_MARGIN = 0.1
# Candidates whose signatures agree on fewer than threshold - this margin are not fetched
# for exact confirmation at all: a pair at the threshold falls below it once in about a
# million (z > 5), while most band collisions of unrelated records agree on almost nothing.
FETCH_MARGIN = 0.2
# A leader is tried against this many of the members that joined earlier leaders, the
# most alike first.
CHAIN_TRIES = 4
# Per query record of another split: candidates a bucket contributes, how many candidates
# are all confirmed, exact confirmations tried beyond that, and matches counted before the
# count is reported as a lower bound.
SMALL_QUERY = 64
PER_BUCKET = 64
MAX_TRIES = 64
MAX_MATCHES = 16


class Exact(Protocol):
    """Exact similarity of records by key; NaN where one has no comparable text."""

    def __call__(self, a: int, b: int) -> float: ...

    def many(self, a: int, others: list[int]) -> np.ndarray: ...


class ShingleSets:
    """Exact Jaccard similarity between two keyed collections of shingle sets (sorted,
    distinct 64-bit arrays, as :func:`ftprep.core.similarity.shingles` makes them)."""

    def __init__(self, left: dict[int, np.ndarray], right: dict[int, np.ndarray]) -> None:
        self.left, self.right = left, right

    def __call__(self, a: int, b: int) -> float:
        return float(self.many(a, [b])[0])

    def many(self, a: int, others: list[int]) -> np.ndarray:
        """``a``'s similarity to each of ``others``, in one pass over their shingles."""
        out = np.full(len(others), np.nan)
        mine = self.left.get(a)
        right = self.right
        # A record without words has no signature and is compared with nothing.
        present = [i for i, b in enumerate(others) if b in right and len(right[b])]
        if mine is None or not len(mine) or not present:
            return out
        sets = [right[others[i]] for i in present]
        sizes = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
        theirs = np.concatenate(sets)
        at = np.minimum(np.searchsorted(mine, theirs), len(mine) - 1)  # ``mine`` is sorted
        hits = mine[at] == theirs
        common = np.add.reduceat(hits, np.cumsum(sizes) - sizes)
        out[present] = common / (len(mine) + sizes - common)
        return out


def agreement(signatures: np.ndarray, rows: np.ndarray, one: np.ndarray) -> np.ndarray:
    """The share of signature values each of ``rows`` has in common with ``one``."""
    out = np.empty(len(rows), dtype=np.float32)
    step = 8192  # in slices: a bucket can hold most of the dataset
    for start in range(0, len(rows), step):
        part = signatures[rows[start : start + step]] == one
        out[start : start + step] = part.sum(axis=1, dtype=np.int32) / part.shape[1]
    return out


class SelfMatches:
    """Confirmed (later, earlier, similarity) pairs inside one set of signatures.

    Works in signature rows; the clusters are a union-find over rows held in a numpy array,
    so that the records of a bucket already in the leader's cluster are found in one step.
    """

    def __init__(self, index: SignatureIndex, exact: Exact, threshold: float) -> None:
        self.index = index
        self.exact = exact
        self.threshold = threshold
        self.keys = index.keys
        self.parent = np.arange(len(self.keys))
        self.partnered = np.zeros(len(self.keys), dtype=bool)  # the later record of a pair
        self.refused: set[int] = set()  # later key << 32 | earlier key
        self.pairs: list[tuple[int, int, float]] = []

    def run(self, buckets: list[np.ndarray] | None = None) -> list[tuple[int, int, float]]:
        """Confirmed pairs of the index's buckets (``buckets``, when the caller has them)."""
        for rows in self.index.buckets() if buckets is None else buckets:
            self._bucket(rows)
        return sorted(self.pairs)

    def _root(self, row: int) -> int:
        parent = self.parent
        root = row
        while parent[root] != root:
            root = int(parent[root])
        while parent[row] != root:  # path compression
            parent[row], row = root, int(parent[row])
        return root

    def _roots(self, rows: np.ndarray) -> np.ndarray:
        """The cluster of each row at once (pointer jumping, compressing as it goes)."""
        parent = self.parent
        roots = parent[rows]
        while True:
            up = parent[roots]
            if np.array_equal(up, roots):
                break
            roots = up
        parent[rows] = roots
        found: np.ndarray = roots
        return found

    def _accept(self, later: int, earlier: int, sim: float) -> None:
        self.pairs.append((int(self.keys[later]), int(self.keys[earlier]), sim))
        self.partnered[later] = True
        a, b = self._root(later), self._root(earlier)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def _confirm_each(self, lead: int, rows: np.ndarray) -> np.ndarray:
        """Which of ``rows`` are near-duplicates of ``lead``, or already known to be in its
        cluster with a partner; each pair is computed once, whichever record is later."""
        keys = self.keys
        lead_key = int(keys[lead])
        other_keys = keys[rows]
        later = np.where(other_keys > lead_key, rows, lead)
        took = self.partnered[later] & (self._roots(rows) == self._root(lead))
        codes = (np.maximum(other_keys, lead_key) << 32) | np.minimum(other_keys, lead_key)
        refused = self.refused
        fresh = [i for i in np.nonzero(~took)[0].tolist() if int(codes[i]) not in refused]
        if fresh:
            sims = self.exact.many(lead_key, other_keys[fresh].tolist())
            for i, sim in zip(fresh, sims.tolist(), strict=True):
                row = int(rows[i])
                if sim >= self.threshold:  # False for NaN
                    pair = (row, lead) if other_keys[i] > lead_key else (lead, row)
                    self._accept(*pair, sim)
                    took[i] = True
                else:
                    refused.add(int(codes[i]))
        accepted: np.ndarray = took
        return accepted

    def _bucket(self, rows: np.ndarray) -> None:
        """Work through one bucket (rows sorted by key) leader by leader."""
        signatures = self.index.signatures
        floor = self.threshold - ESTIMATE_MARGIN
        pending = rows
        joined = rows[:0]
        for _ in range(MAX_LEADERS):
            if not len(pending):
                break
            lead, rest = int(pending[0]), pending[1:]
            if len(joined):  # a chain: the leader may resemble a record that joined before
                scores = agreement(signatures, joined, signatures[lead])
                best = np.argsort(-scores, kind="stable")[:CHAIN_TRIES]
                self._confirm_each(lead, joined[best[scores[best] >= floor]])
            if not len(rest):
                break
            likely = np.nonzero(agreement(signatures, rest, signatures[lead]) >= floor)[0]
            taken = np.zeros(len(rest), dtype=bool)
            taken[likely[self._confirm_each(lead, rest[likely])]] = True
            joined = np.concatenate([joined, pending[:1], rest[taken]])
            pending = rest[~taken]


def with_plausible_mate(
    signatures: np.ndarray, buckets: list[np.ndarray], threshold: float
) -> tuple[set[int], list[np.ndarray]]:
    """The rows of ``buckets`` that :class:`SelfMatches` may compare exactly, and the
    buckets that hold any, in their order: a row is compared only with a bucket-mate whose
    signature agrees with its own on ``threshold - ESTIMATE_MARGIN`` of the values, so the
    others need not be read again, and a bucket without such a pair confirms nothing.

    Buckets of more than :data:`SMALL_QUERY` rows are kept whole, unexamined: their
    leaders decide which pairs are tried."""
    floor = threshold - ESTIMATE_MARGIN
    rows_out: set[int] = set()
    keep = np.zeros(len(buckets), dtype=bool)
    by_size: dict[int, list[int]] = {}
    for b, rows in enumerate(buckets):
        if len(rows) > SMALL_QUERY:
            rows_out.update(rows.tolist())
            keep[b] = True
        else:
            by_size.setdefault(len(rows), []).append(b)
    for size, numbers in by_size.items():
        stacked = np.stack([buckets[b] for b in numbers])
        step = max(1, (1 << 22) // (size * size * signatures.shape[1]))
        for start in range(0, len(stacked), step):
            part = stacked[start : start + step]
            values = signatures[part]  # buckets x size x values
            agree = (values[:, :, None, :] == values[:, None, :, :]).mean(axis=3)
            agree[:, np.arange(size), np.arange(size)] = 0.0
            mated = (agree >= floor).any(axis=2)
            rows_out.update(part[mated].tolist())
            keep[np.asarray(numbers[start : start + step])[mated.any(axis=1)]] = True
    return rows_out, [rows for rows, kept in zip(buckets, keep.tolist(), strict=True) if kept]


def plausible(
    index: SignatureIndex,
    peer_signatures: np.ndarray,
    candidates: tuple[list[np.ndarray], set[int]],
    threshold: float,
) -> tuple[list[np.ndarray], set[int]]:
    """``candidates`` without the rows whose signature agrees with the query's on fewer
    than ``threshold - FETCH_MARGIN`` of its values: computed before any record is read
    again, so that only records that could match are fetched and shingled."""
    rows_of, cut = candidates
    if not rows_of:
        return rows_of, cut
    sizes = np.fromiter((len(r) for r in rows_of), dtype=np.int64, count=len(rows_of))
    rows = np.concatenate(rows_of)
    queries = np.repeat(np.arange(len(rows_of)), sizes)
    keep = np.empty(len(rows), dtype=bool)
    signatures, floor = index.signatures, threshold - FETCH_MARGIN
    step = 8192
    for start in range(0, len(rows), step):
        part = (
            signatures[rows[start : start + step]] == peer_signatures[queries[start : start + step]]
        )
        keep[start : start + step] = part.mean(axis=1) >= floor
    counts = np.bincount(queries[keep], minlength=len(rows_of))
    return np.split(rows[keep], np.cumsum(counts)[:-1]), cut


def peer_matches(
    index: SignatureIndex,
    peer_keys: list[int],
    peer_signatures: np.ndarray,
    candidates: tuple[list[np.ndarray], set[int]],
    exact: Exact,
    threshold: float,
) -> tuple[list[tuple[int, int, float]], set[int]]:
    """Confirmed (peer key, indexed key, similarity) pairs, and the peer keys whose matches
    were not all looked for (their count is a lower bound).

    ``candidates`` is ``index.candidate_rows(peer_signatures, PER_BUCKET)``, which the
    caller needs first to fetch the records involved.
    """
    rows_of, cut = candidates
    signatures, keys = index.signatures, index.keys
    floor = threshold - ESTIMATE_MARGIN
    confirmed: list[tuple[int, int, float]] = []
    partial: set[int] = set()
    for q, (peer, rows) in enumerate(zip(peer_keys, rows_of, strict=True)):
        if not len(rows):
            continue
        bounded = q in cut or len(rows) > SMALL_QUERY
        if not bounded:
            tries = keys[rows].tolist()  # few candidates: each is confirmed, as ever
        else:
            scores = agreement(signatures, rows, peer_signatures[q])
            order = np.lexsort((keys[rows], -scores))
            order = order[scores[order] >= floor]
            tries = keys[rows[order[:MAX_TRIES]]].tolist()
        matches = [
            (peer, key, float(sim))
            for key, sim in zip(tries, exact.many(peer, tries), strict=True)
            if sim >= threshold
        ]
        if bounded and matches:
            partial.add(peer)  # not every candidate was confirmed
            matches = matches[:MAX_MATCHES]
        confirmed += matches
    return confirmed, partial
