"""The batched langdetect gives langdetect's own results, text by text, to the last bit
(ftprep.core.batch_langdetect)."""

from __future__ import annotations

import csv
import json
import random
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ftprep.core import batch_langdetect
from ftprep.core.batch_langdetect import detect_many

from .corpus_mappings import CORPUS, needs_corpus


def reference(text: str) -> tuple[str, float] | None:
    """langdetect's own answer, as ftprep asked it before (seed 0, most probable)."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        ranked = detect_langs(text)
    except LangDetectException:
        return None
    return (ranked[0].lang, ranked[0].prob) if ranked else None


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def corpus_texts(per_file: int = 60) -> list[str]:
    """Texts of every JSON, JSONL and CSV/TSV file of the corpus: many languages and
    scripts, code, tool calls, emoji."""
    out: list[str] = []
    for path in sorted(CORPUS.iterdir()):
        found: list[str] = []
        if path.suffix == ".jsonl":
            for line in path.read_text("utf-8", "replace").splitlines()[:per_file]:
                try:
                    found += strings(json.loads(line))
                except ValueError:
                    continue
        elif path.suffix == ".json":
            try:
                found = strings(json.loads(path.read_text("utf-8", "replace")))
            except ValueError:
                continue
        elif path.suffix in (".csv", ".tsv"):
            text = path.read_text("utf-8", "replace").splitlines()[:per_file]
            for row in csv.reader(text, delimiter="\t" if path.suffix == ".tsv" else ","):
                found += row
        found = [t for t in found if len(t) >= 3]
        out += random.Random(path.name).sample(found, min(per_file, len(found)))
    return out


def test_the_fast_path_is_the_one_tested() -> None:
    """This interpreter's random and sum are read as CPython's: no fallback hides a miss."""
    assert batch_langdetect._stream() is not None
    assert batch_langdetect._row_sums() is not None


@needs_corpus()
def test_every_corpus_text_gets_langdetects_own_detection() -> None:
    texts = corpus_texts()
    assert len(texts) > 1000
    assert detect_many(texts) == [reference(t) for t in texts]


_ALPHABET = "aeiou tnsrl TNSRL.,!?'-\n  0123 éüñçß ИвановПривет 中文字 ひらがなカタカナ 한국어 العربية हिन्दी"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=_ALPHABET, max_size=300),
            st.sampled_from(["https://example.com/a?b=c", "mail@example.com", "ABC DEF", "  "]),
        ),
        max_size=8,
    ).map("".join),
)
def test_generated_texts_get_langdetects_own_detection(text: str) -> None:
    assert detect_many([text]) == [reference(text)]


def test_texts_detected_together_are_detected_as_alone() -> None:
    texts = ["Das ist ein ganz normaler deutscher Satz über das Wetter.", "", "?!"]
    texts += ["Où est mon colis ? Il devait arriver lundi.", "我的包裹在哪里", "OK"] * 3
    together = detect_many(texts)
    assert together == [detect_many([t])[0] for t in texts] == [reference(t) for t in texts]
    assert together[0] is not None and together[0][0] == "de"


def neumaier(values: list[float]) -> float:
    """CPython 3.12's float sum, written out (Objects: builtin_sum_impl)."""
    total, correction = 0.0, 0.0
    for x in values:
        t = total + x
        if abs(total) >= abs(x):
            correction += (total - t) + x
        else:
            correction += (x - t) + total
        total = t
    if correction and np.isfinite(correction):
        total += correction
    return total


def test_both_sum_orders_are_the_interpreters() -> None:
    """The sequential order (Python < 3.12) and Neumaier's (3.12+) match their
    definitions bit for bit, whichever this interpreter uses."""
    rng = np.random.default_rng(1)
    rows = rng.random((200, 55)) ** rng.integers(1, 60, (200, 1))
    by_hand = []
    for row in rows.tolist():
        total = 0.0
        for v in row:
            total += v
        by_hand.append(total)
    assert batch_langdetect._sequential_sums(rows).tolist() == by_hand
    assert batch_langdetect._compensated_sums(rows).tolist() == [neumaier(r) for r in rows.tolist()]
