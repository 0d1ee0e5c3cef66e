"""Near-duplicate detection: shingles, MinHash signatures (datasketch) and an LSH index.

Texts are normalised (Unicode NFKC, casefold, punctuation dropped, whitespace collapsed) so
that re-punctuated or lower-cased copies compare equal. Long texts are cut into word 5-grams;
CJK text and texts under :data:`MIN_WORDS` words into character n-grams, because one changed
word destroys five word 5-grams, which in a short text is most of them.

Shingles are hashed to 64 bits in numpy (a deterministic hash: Python's ``hash`` of a string
changes from run to run). MinHash signatures are datasketch's (``scheme="affine32"``, a fixed
seed and ``num_perm``), computed for a whole batch of records at once
(:func:`signatures`): the same permutations applied to one numpy array of every record's
shingle hashes, minima taken per record, so no Python object or call per shingle or record;
the tests hold the values equal to datasketch's own ``MinHash``. Candidates from the LSH
index are only candidates: callers confirm each with :func:`jaccard` on the exact shingle
sets.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np

from ftprep.core.cache import BlobCache
from ftprep.core.comparable import MIN_WORDS, normalize

NUM_PERM = 128
SEED = 1
WORD_NGRAM = 5
CHAR_NGRAM = 5
CJK_NGRAM = 3
# LSH weights (false positives, false negatives): candidates are confirmed exactly, so the
# index errs towards recall (at 0.8 it finds ~95% of pairs of Jaccard 0.8, ~99% of 0.85).
LSH_WEIGHTS = (0.05, 0.95)

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_MASK32 = np.uint64(0xFFFFFFFF)
_EMPTY = np.zeros(0, dtype=np.uint64)


def _mix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: spreads the combined word hashes over all bits."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(33))
        h = h * np.uint64(0xFF51AFD7ED558CCD)
        h = h ^ (h >> np.uint64(33))
        h = h * np.uint64(0xC4CEB93FE1A85EC3)
        mixed: np.ndarray = h ^ (h >> np.uint64(33))
        return mixed


def _ngrams(units: np.ndarray, n: int) -> np.ndarray:
    """Hashes of every run of ``n`` units (the whole sequence when it is shorter), with
    repeats and in text order."""
    if len(units) == 0:
        return _EMPTY
    if len(units) < n:
        n = len(units)
    return _mix(_rolled(units, n) + np.uint64(n))


def _rolled(units: np.ndarray, n: int) -> np.ndarray:
    """The polynomial hash of every window of ``n`` units (in place: no temporaries)."""
    count = len(units) - n + 1
    h = np.zeros(count, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    for j in range(n):
        np.multiply(h, prime, out=h)
        np.add(h, units[j : j + count], out=h)
    return h


def _units(norm: str, words_mode: bool | None) -> tuple[np.ndarray, int]:
    """A comparison form's shingle units (word ids or code points) and the n-gram size."""
    if not norm:
        return _EMPTY, WORD_NGRAM
    words = norm.split(" ")
    cjk = len(_CJK_RE.findall(norm)) if not norm.isascii() else 0
    short = len(words) < MIN_WORDS if words_mode is None else not words_mode
    if cjk * 3 >= len(norm) or short:
        n = CJK_NGRAM if cjk * 3 >= len(norm) else CHAR_NGRAM
        return np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64), n
    ids = np.fromiter(map(zlib.crc32, norm.encode().split(b" ")), dtype=np.uint64)
    # Word ids never equal code points: word and character shingles differ.
    return ids | np.uint64(1 << 40), WORD_NGRAM


def shingle_hashes(text: str, words_mode: bool | None = None) -> np.ndarray:
    """The 64-bit hash of every shingle of a text, repeats included (a MinHash needs no
    more: a minimum does not change when a value repeats); see :func:`shingles`."""
    return _ngrams(*_units(normalize(text), words_mode))


def _flat_shingles(
    forms: Sequence[str], words_mode: bool | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shingle hashes of many texts in comparison form, hashed together: (the hashes
    of one text after another, how many each has, the position in ``forms`` of each), for
    the texts that have any.

    One vector pass per n-gram size over all the texts' units; the windows that cross from
    one text into the next are computed and dropped (n - 1 per text)."""
    groups: dict[int, list[tuple[int, np.ndarray]]] = {}
    alone: list[tuple[int, np.ndarray]] = []  # shorter than one n-gram: hashed whole
    for i, norm in enumerate(forms):
        units, n = _units(norm, words_mode)
        if len(units) >= n:
            groups.setdefault(n, []).append((i, units))
        elif len(units):
            alone.append((i, _ngrams(units, n)))
    parts, sizes, which = [], [], []
    for n, members in groups.items():
        lengths = np.fromiter((len(u) for _, u in members), dtype=np.int64, count=len(members))
        h = _rolled(np.concatenate([u for _, u in members]), n)
        ends = np.cumsum(lengths)
        keep = np.ones(len(h) + n - 1, dtype=bool)
        keep[(ends[:, None] - np.arange(1, n)[None, :]).ravel()] = False
        parts.append(_mix(h[keep[: len(h)]] + np.uint64(n)))
        sizes.append(lengths - n + 1)
        which.append(np.fromiter((i for i, _ in members), dtype=np.int64, count=len(members)))
    if alone:
        parts.append(np.concatenate([h for _, h in alone]))
        sizes.append(np.fromiter((len(h) for _, h in alone), dtype=np.int64, count=len(alone)))
        which.append(np.fromiter((i for i, _ in alone), dtype=np.int64, count=len(alone)))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return _EMPTY, empty, empty
    return np.concatenate(parts), np.concatenate(sizes), np.concatenate(which)


def batch_shingle_hashes(forms: Sequence[str], words_mode: bool | None) -> list[np.ndarray]:
    """:func:`shingle_hashes` of many texts already in their comparison form
    (:func:`ftprep.core.comparable.normalize`), text by text, computed together."""
    out: list[np.ndarray] = [_EMPTY] * len(forms)
    hashes, sizes, which = _flat_shingles(forms, words_mode)
    if not len(which):
        return out
    for i, part in zip(which.tolist(), np.split(hashes, np.cumsum(sizes)[:-1]), strict=True):
        out[i] = part
    return out


def sign_forms(
    forms: Sequence[str], words_mode: bool | None, store: SignatureCache | None = None
) -> tuple[np.ndarray, np.ndarray, list[tuple[bytes, bytes]]]:
    """The MinHash signatures of many texts in comparison form: (the positions in
    ``forms`` of the texts with words, ascending; their signatures, one row each; the
    (key, signature) entries computed anew, for the cache).

    With a ``store``, the signatures it holds are read, not computed."""
    if store is not None and store.path is None:
        store = None  # caching is off: no key is computed
    present = np.fromiter((i for i, form in enumerate(forms) if form), dtype=np.int64)
    rows = np.empty((len(present), NUM_PERM), dtype=np.uint32)
    keys = [form_key(forms[i], words_mode) for i in present.tolist()] if store else []
    known = store.get_many(keys) if store else {}
    missing = [j for j, key in enumerate(keys) if key not in known] if known else None
    todo = present if missing is None else present[missing]
    hashes, sizes, which = _flat_shingles([forms[i] for i in todo.tolist()], words_mode)
    # A text in comparison form has words exactly when it is not empty: every one is signed.
    assert len(which) == len(todo)
    signed = _signatures(hashes, sizes)[np.argsort(which, kind="stable")]
    fresh: list[tuple[bytes, bytes]] = []
    if missing is None:
        rows[:] = signed
        if store:
            fresh = [(key, row.tobytes()) for key, row in zip(keys, signed, strict=True)]
    else:
        hit = np.ones(len(present), dtype=bool)
        hit[missing] = False
        blobs = b"".join(known[key] for key, h in zip(keys, hit.tolist(), strict=True) if h)
        rows[hit] = np.frombuffer(blobs, dtype=np.uint32).reshape(-1, NUM_PERM)
        rows[missing] = signed
        fresh = [(keys[j], row.tobytes()) for j, row in zip(missing, signed, strict=True)]
    return present, rows, fresh


# Bumped when what a cached signature means changes (its shingles, its hash).
CACHE_FORMAT = 1


class SignatureCache(BlobCache):
    """Signatures on disk by the hash of the comparison form they were computed from and
    the shingle kind (word or character n-grams), for one set of MinHash parameters."""

    def __init__(self) -> None:
        grams = f"{WORD_NGRAM}{CHAR_NGRAM}{CJK_NGRAM}"
        super().__init__(f"signatures-v{CACHE_FORMAT}-p{NUM_PERM}-s{SEED}-n{grams}.sqlite")


def form_key(form: str, words_mode: bool | None) -> bytes:
    """The cache key of a text in comparison form, cut into shingles of ``words_mode``."""
    mode = b"a" if words_mode is None else b"w" if words_mode else b"c"
    return hashlib.blake2b(mode + form.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def shingles(text: str, words_mode: bool | None = None) -> np.ndarray:
    """The sorted, distinct 64-bit shingle hashes of a text (empty for a text without words).

    ``words_mode``: word 5-grams (True) or character 5-grams (False), as decided for the
    whole dataset (:func:`ftprep.core.comparable.word_shingled`); None decides by this
    text's length. CJK text is always cut into character 3-grams.
    """
    return np.unique(shingle_hashes(text, words_mode))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted, distinct shingle arrays."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a, b) for :data:`SEED`."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch pre-mixes each input of affine32."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = h ^ (h >> np.uint32(16))
    return mixed


# Shingles permuted at once: a block of NUM_PERM x CHUNK 32-bit values (2 MB) stays in the
# processor's cache between the multiply, the add and the minimum.
CHUNK = 4096


def signatures(shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
    """The MinHash signature of each shingle set (each non-empty), one row of ``NUM_PERM``
    unsigned 32-bit values per set: the values datasketch's ``MinHash(num_perm=NUM_PERM,
    seed=SEED, scheme="affine32")`` gives after ``update_batch`` with each shingle's
    64-bit hash folded to 32 bits."""
    sizes = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=len(shingle_sets))
    hashes = np.concatenate(shingle_sets) if len(shingle_sets) else _EMPTY
    return _signatures(hashes, sizes)


def _signatures(hashes: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """:func:`signatures` of the sets laid end to end in ``hashes``, ``sizes`` long each.

    Permutations run along rows and shingles along columns, so that each set's minimum is
    taken over a contiguous run of a row (``reduceat`` on the last axis is several times
    faster than on the first)."""
    out = np.full((NUM_PERM, len(sizes)), np.iinfo(np.uint32).max, dtype=np.uint32)
    if not len(sizes):
        return np.ascontiguousarray(out.T)
    if not sizes.all():
        raise ValueError("a MinHash signature needs at least one shingle")
    folded = ((hashes ^ (hashes >> np.uint64(32))) & _MASK32).astype(np.uint32)
    a, b = (p[:, None] for p in _permutations())
    with np.errstate(over="ignore"):
        mixed = _fmix32(folded)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    block = np.empty((NUM_PERM, CHUNK), dtype=np.uint32)
    for start in range(0, len(mixed), CHUNK):
        stop = min(len(mixed), start + CHUNK)
        # The sets this block of shingles belongs to, and where each begins in it.
        first = int(np.searchsorted(starts, start, "right")) - 1
        last = int(np.searchsorted(starts, stop, "left"))
        offsets = np.maximum(starts[first:last] - start, 0)
        view = block[:, : stop - start]
        np.multiply(a, mixed[None, start:stop], out=view)
        np.add(view, b, out=view)
        minima = np.minimum.reduceat(view, offsets, axis=1)
        np.minimum(out[:, first:last], minima, out=out[:, first:last])
    return np.ascontiguousarray(out.T)


def signature(shingle_hashes: np.ndarray) -> np.ndarray:
    """The MinHash signature of one shingle set (see :func:`signatures`)."""
    one: np.ndarray = signatures([shingle_hashes])[0]
    return one


class SignatureIndex:
    """A static LSH index over record signatures: banding, with sorted band hashes.

    The banding parameters (b bands of r rows) are datasketch's optimum for the threshold
    and :data:`LSH_WEIGHTS`. The index itself is a few numpy columns, not datasketch's
    ``MinHashLSH``: that one keeps a Python set per bucket and every key's band list,
    about 10 KB per record, where a 100,000-record training set must fit next to the
    linter. Here a record costs ``b`` 8-byte hashes and ``b`` positions.
    """

    def __init__(self, threshold: float) -> None:
        from datasketch.lsh import _optimal_param

        self.bands, self.rows = _optimal_param(threshold, NUM_PERM, *LSH_WEIGHTS)
        self._keys = np.zeros(0, dtype=np.int64)
        self._order = np.zeros((0, self.bands), dtype=np.int64)
        self._sorted = np.zeros((0, self.bands), dtype=np.uint64)
        self._signatures = np.zeros((0, NUM_PERM), dtype=np.uint32)

    def _band_hashes(self, signatures: np.ndarray, band: int | None = None) -> np.ndarray:
        """The hash of each signature's bands (one band's column when ``band`` is given)."""
        first, count = (0, self.bands) if band is None else (band, 1)
        out = np.empty((len(signatures), count), dtype=np.uint64)
        step = 8192  # in slices: a 64-bit copy of every signature would double the memory
        span = slice(first * self.rows, (first + count) * self.rows)
        for start in range(0, len(signatures), step):
            part = signatures[start : start + step, span]
            cells = part.astype(np.uint64).reshape(len(part), count, self.rows)
            h = np.zeros((len(part), count), dtype=np.uint64)
            with np.errstate(over="ignore"):
                for j in range(self.rows):
                    h = h * np.uint64(0x100000001B3) + cells[:, :, j]
            out[start : start + step] = _mix(h)
        return out if band is None else out[:, 0]

    def add_all(self, keys: Iterable[int], signatures: np.ndarray) -> None:
        self._keys = np.fromiter(keys, dtype=np.int64)
        self._signatures = signatures
        n = len(signatures)
        # Band by band, positions as 32-bit: 12 bytes a record and band, never 24 at once.
        self._order = np.empty((n, self.bands), dtype=np.int32 if n < 2**31 else np.int64)
        self._sorted = np.empty((n, self.bands), dtype=np.uint64)
        for band in range(self.bands):
            column = self._band_hashes(signatures, band)
            order = np.argsort(column, kind="stable")
            self._order[:, band] = order
            self._sorted[:, band] = column[order]

    @property
    def keys(self) -> np.ndarray:
        """The key of each signature row, as added."""
        return self._keys

    @property
    def signatures(self) -> np.ndarray:
        return self._signatures

    def buckets(self) -> list[np.ndarray]:
        """Rows sharing a band hash, one array per band and hash, each sorted by key.

        Only runs of equal band hashes are visited, so a set without near-duplicates costs
        a few vector operations per band, not a query per record.
        """
        out: list[np.ndarray] = []
        for band in range(self.bands):
            column = self._sorted[:, band]
            if len(column) < 2:
                break
            starts = np.nonzero(np.diff(column) == 0)[0]
            if not len(starts):
                continue
            for group in np.split(starts, np.nonzero(np.diff(starts) != 1)[0] + 1):
                rows = self._order[group[0] : group[-1] + 2, band]
                out.append(rows[np.argsort(self._keys[rows], kind="stable")])
        return out

    def candidate_rows(
        self, signatures: np.ndarray, per_bucket: int
    ) -> tuple[list[np.ndarray], set[int]]:
        """For each query signature, the rows sharing at least one band with it (sorted),
        and the queries for which a bucket was cut.

        A bucket adds at most ``per_bucket`` rows (its earliest keys): a bucket that holds
        most of a templated dataset would otherwise make every query as big as the data.
        """
        found: list[list[np.ndarray]] = [[] for _ in range(len(signatures))]
        cut: set[int] = set()
        if not len(self._keys) or not len(signatures):
            return [np.zeros(0, dtype=np.int64) for _ in found], cut
        hashes = self._band_hashes(signatures)
        for band in range(self.bands):
            column = self._sorted[:, band]
            lo = np.searchsorted(column, hashes[:, band], side="left")
            hi = np.searchsorted(column, hashes[:, band], side="right")
            for q in np.nonzero(hi > lo)[0].tolist():
                rows = self._order[lo[q] : hi[q], band]
                if len(rows) > per_bucket:
                    rows = rows[np.argsort(self._keys[rows], kind="stable")[:per_bucket]]
                    cut.add(q)
                found[q].append(rows)
        rows_of = [
            np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
            for parts in found
        ]
        return rows_of, cut
