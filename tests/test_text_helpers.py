"""The shared text helpers the hot rules use are fast rewrites of simple definitions:
each is compared with its definition on generated text."""

from __future__ import annotations

import random
import re
import unicodedata
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.core.texts import ascii_profile
from ftprep.rules.labels import fold
from ftprep.rules.privacy._patterns import MARKERS, has_marker
from ftprep.rules.repeats import repeated_values
from ftprep.rules.texts import collapse_runs

# Pieces where the helpers' shortcuts could go wrong: runs of every kind of whitespace at
# either end, markers split across pieces, control characters, non-ASCII text.
PIECES = st.sampled_from(
    [
        "a",
        "Word",
        "ÉTÉ",
        " ",
        "  ",
        "\n",
        "\t",
        "\r\n",
        "\f",
        "\v",
        "\x00",
        "\x1f",
        "7",
        "sk-",
        "AKIA",
        "Bear",
        "er ",
        "hf_",
        "://",
        "-----",
        "ß",
    ]
)
TEXT = st.lists(PIECES, max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_collapse_runs_is_one_space_per_whitespace_run(text: str) -> None:
    assert collapse_runs(text) == re.sub(r"[ \t\n\r]+", " ", text)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_fold_is_the_same_with_or_without_the_shared_collapsed_form(text: str) -> None:
    expected = (
        re.sub(r"[ \t\n\r\f\v]+", " ", text.lower()).strip(" ")
        if text.isascii()
        else " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    )
    assert fold(text) == expected
    assert fold(text, collapse_runs(text)) == expected


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_ascii_profile_counts_each_class(text: str) -> None:
    profile = ascii_profile(text)
    if not text.isascii():
        assert profile is None
        return
    controls = sum(1 for c in text if (ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127)
    assert profile == (
        sum(c.isupper() for c in text),
        sum(c.islower() for c in text),
        controls,
        sum(c.isdigit() for c in text),
    )


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_has_marker_is_any_marker_in_the_text(text: str) -> None:
    assert has_marker(text) == any(m in text for m in MARKERS)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=20), max_size=40))
def test_repeated_values_are_those_counted_twice(values: list[int]) -> None:
    from collections import Counter

    assert repeated_values(array("Q", values)) == {v for v, n in Counter(values).items() if n > 1}


@given(
    st.lists(
        st.text(alphabet="ab.?!# ->\n", min_size=0, max_size=14).map(
            lambda t: t + "".join(random.Random(t).choice([".\n\n###\n\n", "? ->", "!", "\n"]))
        ),
        min_size=1,
        max_size=25,
    )
)
def test_records_repeating_answers_every_tail_as_the_texts_do(texts: list[str]) -> None:
    """The tally answers for an ending and its bare form; any other tail reads the texts
    again: either way the records are those whose text holds the suffix before its end."""
    from ftprep.rules.separators._endings import EndingStats, ending_of

    stats = EndingStats(track_records=True)
    stats.add_many(list(range(len(texts))), texts)
    by_index = dict(enumerate(texts))
    tails = {e[k:] for e in map(ending_of, texts) for k in range(len(e))}
    for suffix in sorted(tails):
        expected = [
            i for i, t in by_index.items() if t.endswith(suffix) and suffix in t[: len(t) - 1]
        ]
        got = stats.records_repeating(suffix, lambda idx: {i: by_index[i] for i in idx})
        assert got == expected, suffix


_MOJIBAKE_ALPHABET = st.characters(
    codec="utf-8", categories=("L", "M", "N", "P", "S", "Z", "Cc")
) | st.sampled_from("ÃÂâ€™©®¢£¥€²³¹±×÷µ¶§«»¡¿ßàñœšžαωаяЁЯ│┌═╬▀░▓¦¤¨¬¯¸ƒˆˇ˘˛˜†‡‰⌐◊\ufffd")


@given(st.text(_MOJIBAKE_ALPHABET, max_size=40))
@settings(max_examples=3000, deadline=None)
def test_the_badness_precheck_never_hides_mojibake(text: str) -> None:
    """WS004 asks ftfy's badness expression only of texts holding one of the characters
    every alternative of it needs: a text without one is never bad."""
    from ftfy.badness import is_bad

    from ftprep.rules.text_hygiene.mojibake import _maybe_bad

    maybe = _maybe_bad()
    assert maybe is not None  # today's ftfy has the shape the precheck needs
    if maybe.search(text) is None:
        assert not is_bad(text)


def test_the_badness_precheck_on_the_corpus() -> None:
    from ftfy.badness import is_bad

    from ftprep.rules.text_hygiene.mojibake import _maybe_bad
    from tests.corpus_mappings import CORPUS, REQUIRED

    maybe = _maybe_bad()
    assert maybe is not None
    texts = []
    for path in sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []:
        if path.suffix in (".json", ".jsonl", ".csv", ".tsv"):
            texts += path.read_bytes().decode("utf-8", "replace").splitlines()
    if not texts:
        assert not REQUIRED, f"the shared corpus is required here and missing: {CORPUS}"
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    assert sum(bool(is_bad(t)) for t in texts) > 0  # the corpus has mojibake to find
    for text in texts:
        if maybe.search(text) is None:
            assert not is_bad(text), text
