"""The split keeps every near-duplicate cluster on one side: `lint --valid` on what
`ftprep split` writes finds no leak (DP003), for any input and seed."""

from __future__ import annotations

import json
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftprep import api

from .planted import WORDS


def _chain(rng: random.Random, n: int) -> list[str]:
    """Texts each a small edit of the one before: neighbours are near-duplicates, the ends
    of a long chain are not (a record similar to two others that are not similar)."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(12, 20))]
    texts = []
    for _ in range(n):
        words = list(words)
        words[rng.randrange(len(words))] = rng.choice(WORDS)
        texts.append(" ".join(words))
    return texts


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 10_000),
    chains=st.lists(st.integers(1, 8), min_size=4, max_size=12),
    fraction=st.sampled_from([0.1, 0.2, 0.3]),
    split_seed=st.integers(0, 100),
)
def test_split_output_passes_the_leak_check(
    tmp_path: Path, seed: int, chains: list[int], fraction: float, split_seed: int
) -> None:
    rng = random.Random(seed)
    records = [
        {"messages": [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}]}
        for n in chains
        for text in _chain(rng, n)
    ]
    rng.shuffle(records)
    path = tmp_path / f"all-{seed}-{split_seed}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    train, valid = tmp_path / f"t-{seed}.jsonl", tmp_path / f"v-{seed}.jsonl"
    parts = api.split(
        str(path),
        valid_fraction=fraction,
        seed=split_seed,
        output=str(train),
        valid_output=str(valid),
        stratify=False,
    )
    assert parts.read == len(records) == parts.train_count + parts.valid_count
    report = api.lint(str(train), valid=str(valid), select=["DP003"])
    assert [d.message for d in report.diagnostics if d.code == "DP003"] == []
