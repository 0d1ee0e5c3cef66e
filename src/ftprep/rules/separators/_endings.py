"""Compact, mergeable statistics about how the prompts (or completions) of a dataset end.

Each text contributes its *ending*: the run of non-word characters at its end (``\\n\\n###\\n\\n``,
`` ->``, ``\\n``) or a word-like stop such as `` END``. Endings are interned, so a million
records cost a few bytes each. The dominant separator is then the longest ending shared
(as a suffix) by at least ``min_share`` of the texts.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from typing import Any

from ftprep.core.invisible import CANDIDATES as INVISIBLE_CANDIDATES
from ftprep.core.texts import rarest_char

_TAIL = re.compile(r"[^\w]+\Z")
WORD_STOPS = (" [END]", "[END]", " END", "END", "<END>")
_SENTENCE_PUNCTUATION = " .?!,;'\")]}’”»…"
MAX_VOCAB = 10_000
MAX_DISTINCT = 10_000

PROMPT_SEPARATORS = (
    " ->",
    "\n\n###\n\n",
    "\n\n===\n\n",
    "\n\n---\n\n",
    "\n\n===>\n\n",
    "\n\n--->\n\n",
)
PROMPT_FALLBACK = "\n\n### =>\n\n"
STOP_SEQUENCES = ("\n", ".", " END", "***", "+++", "&&&", "$$$", "@@@", "%%%")
STOP_FALLBACK = " [END]"


# ASCII characters that are not word characters: what an ending is made of.
_ASCII_NON_WORD = "".join(ch for ch in map(chr, range(128)) if not (ch.isalnum() or ch == "_"))


# What a text holds before its end (a bit each): its whole ending, and its ending without
# leading sentence punctuation (``.\n\n###\n\n`` -> ``\n\n###\n\n``), which are the
# separators a rule asks about. EMPTY marks an empty text (SC006's business).
WHOLE, BARE, EMPTY = 1, 2, 255


def bare(ending: str) -> str:
    """An ending without its leading sentence punctuation (``? ->`` gives `` ->``)."""
    return ending.lstrip(_SENTENCE_PUNCTUATION[1:])


def repeats_of(text: str, ending: str) -> int:
    """Which of the text's ending and its bare form (:func:`bare`) also occur before the
    text's last character: one search, two when the whole ending does not."""
    before_last = len(text) - 1
    if text.find(ending, 0, before_last) >= 0:
        return WHOLE | BARE  # a tail occurs wherever the whole does
    short = bare(ending)
    if short and short != ending and text.find(short, 0, before_last) >= 0:
        return BARE
    return 0


def holds_earlier(text: str, suffix: str) -> bool:
    """Whether ``suffix`` occurs in ``text`` before its last character."""
    return text.find(suffix, 0, len(text) - 1) >= 0


def ending_of(text: str) -> str:
    """The separator-like tail of ``text`` (at most 32 characters), or ``""``."""
    last = text[-1:]
    if last and last in "D>]":
        for stop in WORD_STOPS:
            if text.endswith(stop):
                return stop
    if last.isalnum() and last.isascii():
        return ""
    tail = text[-32:]
    core = tail.rstrip(_ASCII_NON_WORD)
    if core and not core[-1].isascii() and not core[-1].isalnum():
        match = _TAIL.search(tail)  # non-ASCII punctuation (，。？) is part of the run
        return match.group() if match else ""
    return tail[len(core) :]


def separator_like(ending: str) -> bool:
    """Whether an ending can be a separator rather than how a sentence ends.

    Sentence punctuation alone (``.``, ``?``, ``!"``) is not a separator, and neither is an
    ending that starts with it: in ``? ->`` the question mark belongs to the text and the
    separator is `` ->``.
    """
    return (
        bool(ending)
        and ending[0] not in _SENTENCE_PUNCTUATION[1:]
        and ending.strip(_SENTENCE_PUNCTUATION) != ""
        # Invisible characters are debris (WS003 removes them), never a separator.
        and not INVISIBLE_CANDIDATES.search(ending)
    )


def common_suffix(a: str, b: str) -> str:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[-1 - i] == b[-1 - i]:
        i += 1
    return a[len(a) - i :] if i else ""


def common_prefix(a: str, b: str) -> str:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return a[:i]


class EndingStats:
    """Endings of one text field across a dataset, mergeable across workers.

    It keeps the interned ending counts, each record's ending (when ``track_records``), the
    common suffix and prefix and the shortest length, the candidates seen anywhere, and the
    distinct values up to a cap (for OpenAI's classification inference).
    """

    def __init__(
        self,
        candidates: tuple[str, ...] = (),
        track_records: bool = False,
        max_distinct: int = MAX_DISTINCT,
    ) -> None:
        # Distinct values are kept up to max_distinct; 1 answers only ``all_identical``
        # (all the prompt rules ask), so that long prompts are neither hashed nor sent
        # back from the workers.
        self.max_distinct = max_distinct
        self._candidates: tuple[tuple[str, str], ...] = ()
        self.candidates = candidates
        self.track_records = track_records
        self.vocab: dict[str, int] = {}
        self.words: list[str] = []
        self.counts: list[int] = []
        self.indexes = array("I")
        self.ids = array("I")
        self.repeats = bytearray()
        self.common: str | None = None
        self.prefix: str | None = None
        self.min_length: int | None = None
        self.seen: set[str] = set()
        self.has_newline = False
        self.n = 0
        self.empty = 0
        self.distinct: dict[str, int] = {}
        self.distinct_overflow = False

    @property
    def candidates(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self._candidates)

    @candidates.setter
    def candidates(self, values: tuple[str, ...]) -> None:
        # Each candidate with the character to look for first: most never match.
        self._candidates = tuple((c, rarest_char(c)) for c in values)

    def _id(self, ending: str) -> int:
        i = self.vocab.get(ending)
        if i is None:
            if len(self.words) >= MAX_VOCAB:
                ending = "\x00other"
                i = self.vocab.get(ending)
                if i is not None:
                    return i
            i = self.vocab[ending] = len(self.words)
            self.words.append(ending)
            self.counts.append(0)
        return i

    def add_many(self, indexes: list[int], texts: list[str]) -> None:
        """Tally texts in order, each step over the whole list: which candidates occur,
        and whether any text breaks a line, is asked of all the texts joined (one search
        per candidate, not per text)."""
        self.n += len(texts)
        endings = [ending_of(text) if text else "" for text in texts]
        vocab, ids = self.vocab, []
        for ending in endings:
            i = vocab.get(ending)
            ids.append(self._id(ending) if i is None else i)
        counts = self.counts
        for i in ids:
            counts[i] += 1
        if self.track_records:
            self.indexes.extend(indexes)
            self.ids.extend(ids)
            # Whether its ending (and the ending's bare form) occurs earlier in the text.
            self.repeats.extend(
                EMPTY if not text else repeats_of(text, ending) if ending else 0
                for text, ending in zip(texts, endings, strict=True)
            )
        # Empty texts are SC006's business; like OpenAI's tool (which dropped them first),
        # they do not erase the common prefix or ending of the others.
        filled = [text for text in texts if text]
        self.empty += len(texts) - len(filled)
        if filled:
            self._add_shape(filled)
            self._add_distinct(filled)
        joined = "\x00".join(filled)
        seen = self.seen
        for c, probe in self._candidates:
            if c in seen or probe not in joined:
                continue
            if "\x00" in c:  # could span two texts joined: ask each
                if any(c in text for text in filled):
                    seen.add(c)
            elif c in joined:
                seen.add(c)
        if not self.has_newline and "\n" in joined:
            self.has_newline = True

    def _add_shape(self, texts: list[str]) -> None:
        """The common suffix and prefix and the shortest length, over non-empty texts."""
        if self.common is None:
            self.common, self.prefix, self.min_length = texts[0], texts[0], len(texts[0])
        common, prefix = self.common, self.prefix
        for text in texts:
            if common and not text.endswith(common):
                common = common_suffix(common, text)
            if prefix and not text.startswith(prefix):
                prefix = common_prefix(prefix, text)
        self.common, self.prefix = common, prefix
        assert self.min_length is not None  # set with the first text
        self.min_length = min(self.min_length, *map(len, texts))

    def _add_distinct(self, texts: list[str]) -> None:
        distinct = self.distinct
        for text in texts:
            if self.distinct_overflow:
                return
            distinct[text] = distinct.get(text, 0) + 1
            if len(distinct) > self.max_distinct:
                self.distinct_overflow = True
                self.distinct = distinct = {}

    def merge(self, other: EndingStats) -> None:
        remap = array("I", (self._id(w) for w in other.words))
        for j, count in enumerate(other.counts):
            self.counts[remap[j]] += count
        if other.common is not None:
            if self.common is None:
                self.common, self.prefix, self.min_length = (
                    other.common,
                    other.prefix,
                    other.min_length,
                )
            else:
                self.common = common_suffix(self.common, other.common)
                self.prefix = common_prefix(self.prefix or "", other.prefix or "")
                self.min_length = min(self.min_length or 0, other.min_length or 0)
        self.seen |= other.seen
        self.has_newline |= other.has_newline
        self.n += other.n
        self.empty += other.empty
        if not self.distinct_overflow:
            if other.distinct_overflow:
                self.distinct_overflow, self.distinct = True, {}
            else:
                for text, n in other.distinct.items():
                    self.distinct[text] = self.distinct.get(text, 0) + n
                if len(self.distinct) > self.max_distinct:
                    self.distinct_overflow, self.distinct = True, {}
        if self.track_records:
            self.indexes.extend(other.indexes)
            if remap.tolist() == list(range(len(remap))):  # the usual case: same vocabulary
                self.ids.extend(other.ids)
            else:
                self.ids.extend(remap[i] for i in other.ids)
            self.repeats.extend(other.repeats)

    # -- conclusions -----------------------------------------------------------------
    @property
    def all_identical(self) -> bool:
        return not self.distinct_overflow and len(self.distinct) == 1 and self.n > 1

    @property
    def is_classification(self) -> bool:
        """OpenAI's inference: fewer distinct values than a third of the examples."""
        if self.max_distinct < MAX_DISTINCT:
            raise ValueError("these statistics keep too few distinct values to tell")
        return not self.distinct_overflow and self.n > 0 and len(self.distinct) < self.n / 3

    def dominant(self, min_share: float) -> tuple[str, int] | None:
        """The separator most texts end with: (separator, how many texts end with it).

        Candidates are the endings the texts actually have (the 50 most frequent), the same
        without leading sentence punctuation (``? ->`` gives `` ->``), and the known
        separators. The one the most texts end with wins, and among equals the longest; it
        must be separator-like and shared by more than ``min_share`` of the texts. Choosing
        by share, not length, keeps a fix from chasing ever longer endings.
        """
        if self.n == 0:
            return None
        endings = [
            (word, count)
            for word, count in zip(self.words, self.counts, strict=True)
            if word and word != "\x00other"
        ]
        frequent = sorted(endings, key=lambda wc: (-wc[1], wc[0]))[:50]
        candidates = {c for c in self.candidates}
        for word, _ in frequent:
            candidates.add(word)
            candidates.add(word.lstrip(_SENTENCE_PUNCTUATION[1:]))
        best: tuple[str, int] | None = None
        for candidate in candidates:
            if not separator_like(candidate):
                continue
            count = sum(n for word, n in endings if word.endswith(candidate))
            if count / self.n > min_share and (
                best is None
                or (count, len(candidate), candidate) > (best[1], len(best[0]), best[0])
            ):
                best = (candidate, count)
        return best

    def first_unused(self, candidates: tuple[str, ...], fallback: str) -> str | None:
        """The first candidate no text contains (``" ->"`` only when no text has a newline)."""
        for c in (*candidates, fallback):
            if c == " ->" and self.has_newline:
                continue
            if c not in self.seen:
                return c
        return None

    def records_without(self, suffix: str) -> list[int]:
        """Non-empty texts that do not end with ``suffix``: an empty text needs its content,
        not a separator (SC006 reports it)."""
        good = [w.endswith(suffix) for w in self.words]
        return [
            idx
            for idx, i, flag in zip(self.indexes, self.ids, self.repeats, strict=True)
            if not good[i] and flag != EMPTY
        ]

    def records_repeating(
        self, suffix: str, texts_of: Callable[[list[int]], dict[int, str]] | None = None
    ) -> list[int]:
        """Texts that end with ``suffix`` and hold it before their end as well, whatever
        precedes the final one (``one day.\n\n###\n\n`` ends with ``\n\n###\n\n``).

        The suffix is usually a text's whole ending or its bare form, answered from the
        tally; for any other suffix the texts are read again with ``texts_of(indexes)``.
        """
        ends = [w.endswith(suffix) for w in self.words]
        kind = [WHOLE if w == suffix else BARE if bare(w) == suffix else 0 for w in self.words]
        found, unknown = [], []
        for idx, i, r in zip(self.indexes, self.ids, self.repeats, strict=True):
            if not ends[i] or r == EMPTY:
                continue
            if r & WHOLE or r & kind[i]:
                found.append(idx)
            elif kind[i]:
                continue  # answered exactly: it does not
            elif r & BARE and len(suffix) <= len(bare(self.words[i])):
                found.append(idx)  # a tail of the bare form, which occurs
            else:
                unknown.append(idx)  # another tail: only the text can say
        if unknown and texts_of is not None:
            texts = texts_of(unknown)
            found += [idx for idx in unknown if holds_earlier(texts.get(idx, ""), suffix)]
            found.sort()
        return found


def texts(record_data: dict[str, Any], field: str) -> str | None:
    value = record_data.get(field)
    return value if isinstance(value, str) else None
