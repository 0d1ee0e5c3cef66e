"""langdetect's own detection, run for many texts at once: the same languages and the same
probabilities, to the last bit, several times faster.

langdetect (``detect_langs`` with ``DetectorFactory.seed = 0``) spends its time in one
Python loop: for each of 7 trials it draws n-grams of the text at random and multiplies 55
language probabilities by each n-gram's profile, normalising every fifth draw, until one
language passes 0.99999 or 1,000 draws are made. Here the texts of a batch advance through
each trial together, one numpy operation per draw for all of them:

- The draws are langdetect's. Every detection seeds its generator with 0, so every one
  reads the same stream of Mersenne Twister outputs, each from its own position:
  ``random.choice`` over n items is the next output shifted to ``n.bit_length()`` bits,
  redrawn while too large, and ``gauss`` is CPython's, from two ``random()`` calls every
  other call (:class:`_Stream`). That reading is checked against ``random.Random`` once
  per process; where it differs, each text goes to langdetect itself.
- Every floating-point operation is langdetect's, in its order: ``p * (weight + profile)``
  element by element; the normalising sum of 55 probabilities added in the interpreter's
  own order (sequential before Python 3.12, Neumaier-compensated from 3.12), checked
  against the built-in ``sum`` once per process, which is used row by row if they differ;
  the division element by element.
- Text cleaning and n-gram extraction are langdetect's, rewritten to run at C speed
  where they can: its per-character normalisation as one ``str.translate``, and its
  n-gram buffer, which starts afresh after every space, as the n-grams of each
  space-separated word, computed once per distinct word. (Like langdetect, a text is
  stripped of Latin letters when it has more than twice as many characters from U+0300
  up: langdetect's check for the Latin Extended Additional block compares a number with
  a name and never holds.)

The tests hold the results equal to ``detect_langs`` on the corpus's texts and on
generated ones.
"""

from __future__ import annotations

import math
import random
import re
import sys
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np


@cache
def _model() -> Any:
    """langdetect's factory, its profiles loaded."""
    from langdetect import DetectorFactory, detector_factory

    DetectorFactory.seed = 0
    detector_factory.init_factory()
    return detector_factory._factory


def _sequential_sums(rows: np.ndarray) -> np.ndarray:
    """Each row's sum as Python before 3.12 adds floats: left to right."""
    total = np.zeros(len(rows))
    for j in range(rows.shape[1]):
        total += rows[:, j]
    return total


def _compensated_sums(rows: np.ndarray) -> np.ndarray:
    """Each row's sum as Python 3.12 and later add floats (Neumaier's compensation, added
    at the end when it is finite and not zero)."""
    total = np.zeros(len(rows))
    correction = np.zeros(len(rows))
    for j in range(rows.shape[1]):
        x = rows[:, j]
        t = total + x
        correction += np.where(np.abs(total) >= np.abs(x), (total - t) + x, (x - t) + total)
        total = t
    fix = (correction != 0) & np.isfinite(correction)
    return np.where(fix, total + correction, total)


@cache
def _row_sums() -> Any:
    """The vectorised sum that matches this interpreter's ``sum``, or None to use it."""
    candidate = _compensated_sums if sys.version_info >= (3, 12) else _sequential_sums
    rng = np.random.default_rng(0)
    probe = rng.random((64, 55)) ** rng.integers(1, 40, (64, 1))
    expected = np.array([sum(row.tolist()) for row in probe])
    return candidate if np.array_equal(candidate(probe), expected) else None


def _sums(rows: np.ndarray) -> np.ndarray:
    vectorised = _row_sums()
    if vectorised is None:  # pragma: no cover - an interpreter that adds floats otherwise
        return np.array([sum(row.tolist()) for row in rows])
    out: np.ndarray = vectorised(rows)
    return out


_SPACES = re.compile(" {2,}")
# Distinct words whose n-grams are kept (a few hundred bytes each).
_MAX_WORDS = 200_000
_LATIN = re.compile("[A-z]+")  # langdetect's 'A' <= ch <= 'z', brackets and all


class _Features:
    """langdetect's ``append``, ``cleaning_text`` and ``_extract_ngrams``, as profile rows."""

    def __init__(self, profiles: dict[str, list[float]]) -> None:
        self.profiles = profiles  # langdetect's n-gram -> probability in each language
        # The profile rows of the n-grams met so far, in a matrix grown as they come (all
        # 170,000 of langdetect's would take 75 MB).
        self.index: dict[str, int] = {}
        self.matrix = np.zeros((4096, len(next(iter(profiles.values())))))
        self.normal: dict[int, str] = {}  # code point -> langdetect's normalised character
        self.words: dict[tuple[str, bool], list[int]] = {}

    def __call__(self, text: str, detector: Any) -> list[int]:
        from langdetect.utils.ngram import NGram

        text = detector.MAIL_RE.sub(" ", detector.URL_RE.sub(" ", text))
        text = NGram.normalize_vi(text)
        text = _SPACES.sub(" ", text[: detector.max_text_length])
        if not text.isascii():
            codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
            latin = int(np.count_nonzero((codes >= 65) & (codes <= 122)))
            if latin * 2 < int(np.count_nonzero(codes >= 0x300)):
                text = _LATIN.sub("", text)
        normal = self.normal
        unseen = [ch for ch in set(text) if ord(ch) not in normal]
        for ch in unseen:
            normal[ord(ch)] = NGram.normalize(ch)
        tokens = text.translate(normal).split(" ")
        out: list[int] = []
        last = len(tokens) - 1
        words = self.words
        for i, token in enumerate(tokens):
            if token:
                key = (token, i < last)
                found = words.get(key)
                if found is None:
                    if len(words) >= _MAX_WORDS:
                        words.clear()
                    found = words[key] = self._word(token + " " if i < last else token)
                out += found
        return out

    def _word(self, chars: str) -> list[int]:
        """The n-grams langdetect's buffer yields over one word (and the space after it),
        starting, as after every space, from a buffer holding one space."""
        index = self.index
        grams, capital = " ", False
        out: list[int] = []
        for ch in chars:
            last_char = grams[-1]
            if last_char == " ":
                grams = " "
                capital = False
            elif len(grams) >= 3:
                grams = grams[1:]
            grams += ch
            if ch.isupper():
                if last_char.isupper():
                    capital = True
            else:
                capital = False
            if capital:
                continue
            for n in (1, 2, 3):
                if len(grams) < n:
                    break
                w = grams[-n:]
                if w != " ":
                    row = index.get(w)
                    if row is None and w in self.profiles:
                        row = self._add(w)
                    if row is not None:
                        out.append(row)
        return out

    def _add(self, gram: str) -> int:
        row = self.index[gram] = len(self.index)
        if row == len(self.matrix):
            self.matrix = np.concatenate([self.matrix, np.zeros_like(self.matrix)])
        self.matrix[row] = self.profiles[gram]
        return row


@cache
def _features() -> _Features:
    return _Features(_model().word_lang_prob_map)


class _Stream:
    """The Mersenne Twister outputs of ``random.Random(0)``, in order, as a growing array.

    Every langdetect detection seeds its generator with 0, so all of them read this one
    stream; they differ only in how far each has read. A text's generator is therefore a
    position in it: ``getrandbits(k)`` (k <= 32) is the next output shifted right by
    ``32 - k``; ``random()`` takes two outputs, as CPython's does; ``gauss`` two
    ``random()`` calls every other call, keeping its second value for the next.
    """

    def __init__(self) -> None:
        self._rng = random.Random(0)
        self.words = np.zeros(0, dtype=np.uint32)

    def cover(self, position: int) -> None:
        """Make sure the stream holds the output at ``position``."""
        if position < len(self.words):
            return
        more = max(1 << 16, position + 1 - len(self.words))
        raw = self._rng.getrandbits(32 * more).to_bytes(4 * more, "little")
        self.words = np.concatenate([self.words, np.frombuffer(raw, dtype="<u4")])

    def uniform(self, position: int) -> float:
        """``random()`` from the two outputs at ``position`` (CPython's random_random)."""
        self.cover(position + 1)
        a, b = int(self.words[position]) >> 5, int(self.words[position + 1]) >> 6
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0)

    def gauss_pair(self, position: int) -> tuple[float, float]:
        """``gauss()``'s value and the one it keeps, from the outputs at ``position``."""
        x2pi = self.uniform(position) * _TWOPI
        g2rad = math.sqrt(-2.0 * math.log(1.0 - self.uniform(position + 2)))
        return math.cos(x2pi) * g2rad, math.sin(x2pi) * g2rad


_TWOPI = 2.0 * math.pi


@cache
def _stream() -> _Stream | None:
    """The shared stream, when reading it gives what ``random.Random`` gives here (checked
    once: a choice, gauss and choices again, as a detection draws); else None."""
    stream = _Stream()
    real = random.Random()
    for n, draws in ((3, 40), (1000, 7), (4097, 30), (1, 5), (65, 300)):
        real.seed(0)
        position, kept = 0, None
        for _ in range(3):  # three trials: a fresh gauss, a kept one, a fresh one
            if kept is None:
                mine, kept = stream.gauss_pair(position)
                position += 4
            else:
                mine, kept = kept, None
            if real.gauss(0.0, 1.0) != 0.0 + mine * 1.0:
                return None
            shift = 32 - n.bit_length()
            for _ in range(draws):
                while True:
                    stream.cover(position)
                    value = int(stream.words[position]) >> shift
                    position += 1
                    if value < n:
                        break
                if real.choice(range(n)) != value:
                    return None
    return stream


# Texts detected together: enough that one numpy operation per draw serves many, few
# enough that their n-grams and probabilities stay a few MB.
CHUNK = 2048


def detect_many(texts: Sequence[str]) -> list[tuple[str, float] | None]:
    """For each text, langdetect's most probable (language, probability), or None where
    langdetect finds nothing (a text without features, or no language above 0.1)."""
    factory = _model()
    prototype = factory.create()
    stream = _stream()
    if stream is None or prototype.seed != 0:  # pragma: no cover - another interpreter
        return [_detect_one(text) for text in texts]
    features = _features()
    out: list[tuple[str, float] | None] = [None] * len(texts)  # no features: langdetect raises
    for start in range(0, len(texts), CHUNK):
        running = []
        for position in range(start, min(len(texts), start + CHUNK)):
            grams = features(texts[position], prototype)
            if grams:
                running.append((position, np.array(grams, dtype=np.int32)))
        if not running:
            continue
        profiles = features.matrix
        totals = _detect(stream, [grams for _, grams in running], profiles, prototype)
        for (position, _), total in zip(running, totals.tolist(), strict=True):
            ranked = [
                (lang, p)
                for lang, p in zip(factory.langlist, total, strict=True)
                if p > prototype.PROB_THRESHOLD
            ]
            ranked.sort(key=lambda pair: pair[1], reverse=True)  # stable, as langdetect's
            out[position] = ranked[0] if ranked else None
    return out


def _detect_one(text: str) -> tuple[str, float] | None:
    from langdetect import detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    try:
        ranked = detect_langs(text)
    except LangDetectException:
        return None
    return (ranked[0].lang, float(ranked[0].prob)) if ranked else None


def _detect(
    stream: _Stream, grams: list[np.ndarray], profiles: np.ndarray, detector: Any
) -> np.ndarray:
    """langdetect's ``_detect_block`` for every text at once: the summed probabilities of
    its trials, one row per text."""
    n, languages = len(grams), profiles.shape[1]
    sizes = np.fromiter((len(g) for g in grams), dtype=np.int64, count=n)
    offsets = np.cumsum(sizes) - sizes
    rows = np.concatenate(grams)
    shifts = (32 - np.fromiter((len(g).bit_length() for g in grams), np.int64, n)).astype(np.uint32)
    position = np.zeros(n, dtype=np.int64)
    kept: list[float] | None = None
    total = np.zeros((n, languages))
    for _ in range(detector.n_trial):
        if kept is None:  # every text's gauss draws afresh in the same trials
            pairs = [stream.gauss_pair(p) for p in position.tolist()]
            z, kept = [a for a, _ in pairs], [b for _, b in pairs]
            position += 4
        else:
            z, kept = kept, None
        weights = np.array(
            [
                (detector.alpha + (0.0 + g * 1.0) * detector.ALPHA_WIDTH) / detector.BASE_FREQ
                for g in z
            ]
        )
        prob = _trial(stream, position, rows, offsets, sizes, shifts, weights, profiles, detector)
        # langdetect: langprob[j] += prob[j] / n_trial, trial after trial.
        total += prob / detector.n_trial
    return total


def _trial(
    stream: _Stream,
    position: np.ndarray,
    rows: np.ndarray,
    offsets: np.ndarray,
    sizes: np.ndarray,
    shifts: np.ndarray,
    weights: np.ndarray,
    profiles: np.ndarray,
    detector: Any,
) -> np.ndarray:
    """One trial for every text, in lockstep; ``position`` advances past what each read."""
    n, languages = len(weights), profiles.shape[1]
    prob = np.full((n, languages), 1.0 / languages)
    active = np.arange(n)
    step = 0
    while len(active):
        # random.choice: the next output shifted to the size's bits, redrawn while too big.
        at = position[active]
        stream.cover(int(at.max()) + 64)
        values = stream.words[at] >> shifts[active]
        too_big = np.nonzero(values >= sizes[active])[0]
        while len(too_big):
            at[too_big] += 1
            stream.cover(int(at[too_big].max()))
            values[too_big] = stream.words[at[too_big]] >> shifts[active[too_big]]
            too_big = too_big[values[too_big] >= sizes[active[too_big]]]
        position[active] = at + 1
        factors = profiles[rows[offsets[active] + values]]
        factors += weights[active, None]
        current = prob[active] * factors
        if step % 5 == 0:
            current /= _sums(current)[:, None]
            done = current.max(axis=1) > detector.CONV_THRESHOLD
            if step >= detector.ITERATION_LIMIT:
                done[:] = True
            prob[active] = current
            active = active[~done]
        else:
            prob[active] = current
        step += 1
    return prob
