"""Near-duplicate confirmation stays bounded on templated data and finds what the exhaustive
comparison of every candidate pair finds on ordinary data (ftprep.core.neardup)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.core import neardup
from ftprep.core.similarity import SignatureIndex, jaccard, shingles, signature
from ftprep.core.unionfind import UnionFind

from .planted import WORDS

THRESHOLD = 0.8
SPLIT = [sys.executable, "-m", "ftprep", "split"]


class Counted:
    """Exact Jaccard over precomputed shingle sets (the tool's own ShingleSets), counting
    the pairs computed."""

    def __init__(self, texts: list[str]) -> None:
        self.sets = [shingles(t, True) for t in texts]
        self.exact = neardup.ShingleSets(dict(enumerate(self.sets)), dict(enumerate(self.sets)))
        self.calls = 0

    def __call__(self, a: int, b: int) -> float:
        return float(self.many(a, [b])[0])

    def many(self, a: int, others: list[int]) -> np.ndarray:
        self.calls += len(others)
        return self.exact.many(a, others)


def index_of(texts: list[str]) -> tuple[SignatureIndex, Counted]:
    exact = Counted(texts)
    lsh = SignatureIndex(THRESHOLD)
    lsh.add_all(range(len(texts)), np.stack([signature(s) for s in exact.sets]))
    return lsh, exact


def templated(n: int, seed: int = 3) -> list[str]:
    """Form letters: one template, a name and two numbers that change."""
    rng = random.Random(seed)
    names = ["Alice", "Bob", "Chen", "Dana"]
    return [
        f"Dear {rng.choice(names)}, your order number {rng.randint(1000, 9999)} left our "
        f"warehouse today and should reach you within {rng.randint(2, 9)} working days; "
        "thank you for shopping with us and for your patience while we rebuild the store"
        for _ in range(n)
    ]


def edits(rng: random.Random, n: int) -> list[str]:
    """A chain of texts, each one word away from the one before."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(14, 24))]
    out = []
    for _ in range(n):
        words = list(words)
        words[rng.randrange(len(words))] = rng.choice(WORDS)
        out.append(" ".join(words))
    return out


def components(n: int, pairs: list[tuple[int, int, float]]) -> set[frozenset[int]]:
    union = UnionFind()
    for a, b, _ in pairs:
        union.union(a, b)
    groups: dict[int, set[int]] = {}
    for i in range(n):
        groups.setdefault(union.find(i), set()).add(i)
    return {frozenset(g) for g in groups.values() if len(g) > 1}


def exhaustive(lsh: SignatureIndex, exact: Counted) -> list[tuple[int, int, float]]:
    """Every pair in every bucket confirmed: the old, quadratic way."""
    seen = set()
    out = []
    for rows in lsh.buckets():
        keys = lsh.keys[rows].tolist()
        for i, later in enumerate(keys):
            for earlier in keys[:i]:
                if (later, earlier) not in seen:
                    seen.add((later, earlier))
                    sim = exact(later, earlier)
                    if sim >= THRESHOLD:
                        out.append((later, earlier, sim))
    return out


def test_templated_records_cost_a_few_confirmations_each() -> None:
    """Form letters that are mostly not near-duplicates but crowd the LSH buckets."""
    texts = templated(1500)
    lsh, exact = index_of(texts)
    everything = exhaustive(lsh, Counted(texts))
    pairs = neardup.SelfMatches(lsh, exact, THRESHOLD).run()
    candidates = sum(len(rows) * (len(rows) - 1) // 2 for rows in lsh.buckets())
    assert candidates > 100 * len(texts)  # the quadratic case
    assert exact.calls < 15 * len(texts), exact.calls
    found = {later for later, _, _ in pairs}
    wanted = {later for later, _, _ in everything}
    assert found <= wanted and len(found) >= 0.95 * len(wanted), (len(found), len(wanted))
    for later, earlier, sim in pairs:
        assert later > earlier and sim >= THRESHOLD
        assert abs(sim - jaccard(exact.sets[later], exact.sets[earlier])) < 1e-12


def test_copies_but_for_a_number_cost_one_confirmation_each() -> None:
    texts = [
        f"ticket {i}: the printer on floor three is jammed again and nobody has fixed it yet, "
        "so the whole team prints on the second floor and waits in a long queue every morning"
        for i in range(3000)
    ]
    lsh, exact = index_of(texts)
    pairs = neardup.SelfMatches(lsh, exact, THRESHOLD).run()
    assert exact.calls < 3 * len(texts), exact.calls
    assert len(components(len(texts), pairs)) == 1
    assert {later for later, _, _ in pairs} == set(range(1, len(texts)))


def test_ordinary_data_gets_the_clusters_of_the_exhaustive_comparison() -> None:
    rng = random.Random(17)
    texts: list[str] = []
    for _ in range(60):
        texts += edits(rng, rng.randint(1, 6))
    texts += [" ".join(rng.choice(WORDS) for _ in range(18)) for _ in range(200)]
    rng.shuffle(texts)
    lsh, exact = index_of(texts)
    everything = exhaustive(lsh, exact)
    bounded = neardup.SelfMatches(lsh, Counted(texts), THRESHOLD).run()
    assert components(len(texts), bounded) == components(len(texts), everything)

    # Each record's reported partner is its earliest one, as before.
    def earliest(pairs: list[tuple[int, int, float]]) -> dict[int, int]:
        best: dict[int, int] = {}
        for later, earlier, _ in pairs:
            best[later] = min(best.get(later, earlier), earlier)
        return best

    assert earliest(bounded) == earliest(everything)


def test_a_chain_stays_connected_in_a_big_bucket() -> None:
    """a~b and b~c but not a~c: c must still join a's cluster (through b)."""
    rng = random.Random(5)
    base = [rng.choice(WORDS) for _ in range(60)]
    a = " ".join(base)
    b_words = [*base[:15], "zebra", *base[16:]]
    c_words = [*b_words[:45], "yak", *b_words[46:]]
    b, c = " ".join(b_words), " ".join(c_words)
    texts = [a, b, c, *templated(300, seed=9)]
    lsh, exact = index_of(texts)
    sims = {(1, 0): exact(1, 0), (2, 1): exact(2, 1), (2, 0): exact(2, 0)}
    assert sims[(1, 0)] >= THRESHOLD and sims[(2, 1)] >= THRESHOLD > sims[(2, 0)], sims
    pairs = neardup.SelfMatches(lsh, exact, THRESHOLD).run()
    clusters = components(len(texts), pairs)
    assert any({0, 1, 2} <= group for group in clusters), clusters


def test_a_query_against_a_templated_set_is_bounded_and_says_its_count_is_partial() -> None:
    train = templated(2000)
    lsh, exact = index_of(train)
    queries = [train[5], "an unrelated question about tides and the moon at night"]
    sets = [shingles(q, True) for q in queries]
    signatures = np.stack([signature(s) for s in sets])
    between = Counted([])
    between.exact = neardup.ShingleSets(dict(enumerate(sets)), dict(enumerate(exact.sets)))
    candidates = lsh.candidate_rows(signatures, neardup.PER_BUCKET)
    found, partial = neardup.peer_matches(lsh, [0, 1], signatures, candidates, between, THRESHOLD)
    assert between.calls <= 2 * neardup.MAX_TRIES
    assert {q for q, _, _ in found} == {0} and 5 in {t for _, t, _ in found}
    assert partial == {0}


def test_few_candidates_are_all_confirmed_and_counted_exactly() -> None:
    rng = random.Random(2)
    train = edits(rng, 5) + [" ".join(rng.choice(WORDS) for _ in range(20)) for _ in range(50)]
    lsh, exact = index_of(train)
    query = [train[2]]
    sets = [shingles(query[0], True)]
    signatures = np.stack([signature(s) for s in sets])
    candidates = lsh.candidate_rows(signatures, neardup.PER_BUCKET)
    between = neardup.ShingleSets({0: sets[0]}, dict(enumerate(exact.sets)))
    found, partial = neardup.peer_matches(lsh, [0], signatures, candidates, between, THRESHOLD)
    expected = {
        t for t in candidates[0][0].tolist() if jaccard(sets[0], exact.sets[t]) >= THRESHOLD
    }
    assert {t for _, t, _ in found} == expected and 2 in expected
    assert partial == set()


def test_split_of_one_templated_cluster_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "tickets.jsonl"
    with data.open("w") as out:
        for i in range(400):
            ask = f"Translate ticket {i} into French: the printer on floor three is jammed again."
            answer = "L'imprimante du troisième étage est encore bloquée."
            messages = [{"role": "user", "content": ask}, {"role": "assistant", "content": answer}]
            out.write(json.dumps({"messages": messages}) + "\n")
    train, valid = tmp_path / "t.jsonl", tmp_path / "v.jsonl"
    r = subprocess.run(
        [*SPLIT, str(data), "-o", str(train), "-O", str(valid), "--no-stratify"],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2, r.stderr
    assert "no leak-free validation set" in r.stderr
    assert "400 of 400 records" in r.stderr and "--similarity" in r.stderr
    assert "internal error" not in r.stderr
    assert not train.exists() and not valid.exists()


def test_batch_signatures_are_datasketchs_minhash() -> None:
    """The vectorised batch MinHash gives, set by set, the values of datasketch's own
    MinHash over the same 32-bit folded shingle hashes (sets that straddle blocks too)."""
    from datasketch import MinHash

    from ftprep.core.similarity import CHUNK, NUM_PERM, SEED, shingle_hashes, signatures

    rng = random.Random(5)
    texts = [
        " ".join(rng.choice(WORDS) for _ in range(rng.choice((1, 6, 40, 700, 3 * CHUNK))))
        for _ in range(60)
    ]
    sets = [shingle_hashes(t, True) for t in texts]
    got = signatures(sets)
    for row, hashes in zip(got, sets, strict=True):
        expected = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32", hashfunc=int)
        folded = (hashes ^ (hashes >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
        expected.update_batch(folded.tolist())
        assert row.tolist() == expected.hashvalues.astype(np.uint32).tolist()
    # Repeats do not change a minimum: the sorted distinct set signs the same.
    assert (signatures([np.unique(s) for s in sets]) == got).all()


_TEXTS = st.text(
    alphabet="ab cd.\nÉßΐﬁ中文한국ー!",
    max_size=120,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXTS, max_size=12), st.sampled_from([True, False, None]))
def test_batch_shingling_hashes_each_text_as_alone(texts: list[str], words: bool | None) -> None:
    """Hashing a batch together never lets a shingle cross from one text into the next."""
    from ftprep.core.comparable import normalize
    from ftprep.core.similarity import batch_shingle_hashes, shingle_hashes

    together = batch_shingle_hashes([normalize(t) for t in texts], words)
    for text, hashes in zip(texts, together, strict=True):
        assert hashes.tolist() == shingle_hashes(text, words).tolist()


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXTS, min_size=1, max_size=4), _TEXTS)
def test_comparable_form_is_the_normalised_comparable_text(turns: list[str], sys_: str) -> None:
    """The shortcut that skips a second normalisation gives what normalising again gives."""
    from ftprep.core.comparable import normalize
    from ftprep.core.model import Record
    from ftprep.rules.texts import comparable_form, comparable_text

    roles = ["user", "assistant"]
    messages = [{"role": "system", "content": sys_}] + [
        {"role": roles[i % 2], "content": t} for i, t in enumerate(turns)
    ]
    record = Record(0, {"messages": messages}, 1)
    first = normalize(turns[0]).split(" ")
    for shared in (None, {"/messages/1/content": (first[0], "")}, {"/x": ("ab", "cd")}):
        assert comparable_form(record, shared) == normalize(comparable_text(record, shared))


def test_plausible_keeps_near_copies_and_drops_band_collisions_only() -> None:
    """The pre-fetch filter drops only candidates far below the threshold by their
    signatures; near-copies at and above the threshold all stay."""
    rng = random.Random(9)
    base = [" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(200)]
    lsh, exact = index_of(base)
    queries, truth = [], []
    for k in range(200):
        words = base[k].split(" ")
        for _ in range(k % 4):  # 0 to 3 words changed: similarity from 1.0 to ~0.6
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        queries.append(" ".join(words))
        truth.append(k)
    matrix = np.stack([signature(shingles(q, True)) for q in queries])
    candidates = lsh.candidate_rows(matrix, neardup.PER_BUCKET)
    kept, _ = neardup.plausible(lsh, matrix, candidates, THRESHOLD)
    near = 0
    for q, (before, after) in enumerate(zip(candidates[0], kept, strict=True)):
        assert set(after.tolist()) <= set(before.tolist())
        sims = {int(r): jaccard(shingles(queries[q], True), exact.sets[int(r)]) for r in before}
        for row, sim in sims.items():
            if sim >= THRESHOLD:
                assert row in after.tolist()
        near += sims.get(truth[q], 0.0) >= THRESHOLD
    assert near >= 95  # the copies with no word or one word changed, at least


def test_reading_only_records_with_a_plausible_mate_finds_the_same_pairs() -> None:
    """SelfMatches over the filtered buckets, with only the filtered records' shingles,
    confirms exactly the pairs it confirms with every record at hand."""
    rng = random.Random(4)
    texts = templated(300) + [t for _ in range(30) for t in edits(rng, 6)]
    texts += [" ".join(rng.choice(WORDS) for _ in range(20)) for _ in range(300)]
    lsh, exact = index_of(texts)
    everything = neardup.SelfMatches(lsh, exact, THRESHOLD).run()
    rows, buckets = neardup.with_plausible_mate(lsh.signatures, lsh.buckets(), THRESHOLD)
    kept = {int(lsh.keys[r]): exact.sets[int(lsh.keys[r])] for r in rows}
    filtered = neardup.SelfMatches(lsh, neardup.ShingleSets(kept, kept), THRESHOLD).run(buckets)
    assert filtered == everything
    assert len(everything) > 10
    assert len(rows) < len(texts)  # the unrelated records are not read again
    assert len(buckets) < len(lsh.buckets())
