"""Shared plumbing for the class rules: one mergeable tally of labels per split.

The label of a completion record is its completion; of a chat record, the final assistant
message. Data is classification-like when the user declared a label column, or, as
OpenAI's tool inferred it, when there are fewer distinct labels than a third of the examples
and the records are single-turn with short answers (open conversations repeat answers
such as "You too!" without being classification).
Five rules (CB001-CB004, TK003) read the same :class:`LabelTally`, which the engine owns.
"""

from __future__ import annotations

import unicodedata
from array import array
from hashlib import sha256 as _sha256
from typing import Any

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.model import Kind
from ftprep.core.rule import Rule, RuleContext
from ftprep.rules.texts import collapse_runs, collapsed_values, context_and_label, show

# More distinct labels than this and the data is not classification, whatever the ratio.
MAX_CLASSES = 2000
# A class label is a few words: longer answers are generated text, not classes.
MAX_LABEL_WORDS = 8
MAX_LABEL_CHARS = 60
# Classification data is single-turn with short labels; a dataset where more than this
# share of records is otherwise (open conversations, long answers) is not classification.
MAX_OTHERWISE = 0.1


def fold(text: str, collapsed: str | None = None) -> str:
    """The comparison form of a prompt or label: NFKC, casefolded, whitespace collapsed.

    ``collapsed`` is the text with runs of spaces, tabs and line breaks already made one
    space (the duplicate rule needs that form too, so a record computes it once).
    """
    if text.isascii():  # NFKC changes no ASCII text, and casefold is lower() there
        if collapsed is None:
            collapsed = collapse_runs(text)
        if "\f" in collapsed or "\v" in collapsed:  # whitespace here, not to collapse_runs
            collapsed = collapse_runs(collapsed.replace("\f", " ").replace("\v", " "))
        return collapsed.lower().strip(" ")
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def long_labels(folded_labels: list[str]) -> list[bool]:
    """Which :func:`fold`-ed labels are too long for a class label (generated text)."""
    return [len(f) > MAX_LABEL_CHARS or f.count(" ") >= MAX_LABEL_WORDS for f in folded_labels]


def stable_hash(text: str) -> int:
    """A 64-bit hash of a text that is the same in every process (Python's ``hash`` is
    seeded per interpreter, and tallies from Dask workers are compared with ours)."""
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate (JSON allows "\ud800")
        data = text.encode("utf-8", "surrogatepass")
    return int.from_bytes(_sha256(data).digest()[:8], "little")


class LabelStats:
    """Labels of one split: rows per class (until too many classes) and context hashes."""

    def __init__(self) -> None:
        self.n = 0
        # Records that are not one question and a short answer: several user turns, or an
        # answer longer than a class label.
        self.conversations = 0
        self.long_labels = 0
        self.rows: dict[str, array[int]] = {}
        # Each class as its first record writes it (with its leading space, if any).
        self.forms: dict[str, str] = {}
        self.overflow = False
        self.contexts = array("Q")
        self.label_hashes = array("Q")
        self.indexes = array("I")

    def add_many(
        self,
        indexes: list[int],
        folded_contexts: list[str],
        labels: list[str],
        folded_labels: list[str],
        long: list[bool] | None = None,
    ) -> None:
        """Tally examples in order: their :func:`fold`-ed contexts, labels as written, and
        folded labels (and which of those are too long for a class, when known already:
        their contexts are not read)."""
        self.n += len(indexes)
        if long is None:
            long = long_labels(folded_labels)
        self.long_labels += sum(long)
        self.indexes.extend(indexes)
        # Conflicting labels are compared between class labels only: a long answer is no
        # class, so its record gets 0 (no prompt to compare) and is not hashed at all (the
        # usual case for generated answers, which would otherwise cost two hashes each).
        self.contexts.extend(
            [
                stable_hash(c) if c and not lg else 0
                for c, lg in zip(folded_contexts, long, strict=True)
            ]
        )
        # Labels repeat (that is what classes are): each distinct one is hashed once.
        known: dict[str, int] = {}
        self.label_hashes.extend(
            [
                0 if lg else known[f] if f in known else known.setdefault(f, stable_hash(f))
                for f, lg in zip(folded_labels, long, strict=True)
            ]
        )
        if self.overflow:
            return
        rows = self.rows
        for index, label in zip(indexes, labels, strict=True):
            key = label.strip()
            found = rows.get(key)
            if found is None:
                if len(rows) >= MAX_CLASSES:
                    self.overflow, self.rows, self.forms = True, {}, {}
                    return
                found = rows[key] = array("I")
                self.forms[key] = label
            found.append(index)

    def merge(self, other: LabelStats) -> None:
        self.n += other.n
        self.conversations += other.conversations
        self.long_labels += other.long_labels
        self.indexes.extend(other.indexes)
        self.contexts.extend(other.contexts)
        self.label_hashes.extend(other.label_hashes)
        if self.overflow or other.overflow:
            self.overflow, self.rows, self.forms = True, {}, {}
            return
        for key, rows in other.rows.items():
            self.rows.setdefault(key, array("I")).extend(rows)
            self.forms.setdefault(key, other.forms.get(key, key))
        if len(self.rows) > MAX_CLASSES:
            self.overflow, self.rows, self.forms = True, {}, {}

    def is_classification(self, declared: bool) -> bool:
        """Declared (``--map label=``), or inferred as OpenAI's tool did (fewer distinct
        labels than a third of the examples) from data whose records are single-turn with
        short answers: repeated answers of open conversations are not classes."""
        if self.overflow or self.n == 0:
            return False
        if declared:
            return True
        otherwise = max(self.conversations, self.long_labels)
        return len(self.rows) < self.n / 3 and otherwise <= MAX_OTHERWISE * self.n

    def counts(self) -> list[tuple[str, int]]:
        """(class, examples), most frequent first, then by name."""
        return sorted(((k, len(v)) for k, v in self.rows.items()), key=lambda kv: (-kv[1], kv[0]))


class LabelTally(Collector):
    """The engine-owned tally of a split's labels, fed a batch at a time."""

    targets = frozenset({Kind.COMPLETION, Kind.CHAT})

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.stats = LabelStats()

    def feed(self, batch: Batch) -> None:
        """The batch's examples in one loop and one tally call; prompts and labels are
        folded from the collapsed forms the duplicate rule shares."""
        shared = collapsed_values(batch)
        stats = self.stats
        indexes: list[int] = []
        contexts: list[str] = []
        known: list[str | None] = []
        labels: list[str] = []
        for record in batch.records:
            found = context_and_label(record)
            if found is None:
                continue
            context, label, _ = found
            if record.kind is Kind.CHAT and _user_turns(record.data["messages"]) > 1:
                stats.conversations += 1
            # A completion record's prompt is one of its values, collapsed already; a chat
            # context is built, not a value: folded here.
            known.append(shared.get(id(context)) if record.kind is Kind.COMPLETION else None)
            indexes.append(record.index)
            contexts.append(context)
            labels.append(label)
        folded_labels = [fold(label, shared.get(id(label))) for label in labels]
        long = long_labels(folded_labels)
        # A long answer is no class: its context is never compared, so never folded.
        folded_contexts = [
            "" if lg else fold(c, form) for c, form, lg in zip(contexts, known, long, strict=True)
        ]
        stats.add_many(indexes, folded_contexts, labels, folded_labels, long)

    def merge(self, other: Collector) -> None:
        assert isinstance(other, LabelTally)
        self.stats.merge(other.stats)

    def is_classification(self) -> bool:
        """Whether the split is classification data (declared, or inferred)."""
        return self.stats.is_classification(self.ctx.classification)

    def label_of(self) -> dict[int, str]:
        """Each record's class (stripped label), when the classes were all kept."""
        stats = self.stats
        if stats.overflow:
            return {}
        return {index: label for label, rows in stats.rows.items() for index in rows}


class LabelRule(Rule):
    """A dataset rule concluding from the split's label tally."""

    targets = frozenset({Kind.COMPLETION, Kind.CHAT})

    def collects(self) -> Collects:
        return Collects(LabelTally)

    @property
    def stats(self) -> LabelStats:
        tally: LabelTally = self.collected
        return tally.stats

    @property
    def classification(self) -> bool:
        return self.stats.is_classification(self.ctx.classification)

    def class_counts(self) -> list[tuple[str, int]] | None:
        """(class, examples) of classification data with at least two classes, else None."""
        if not self.classification:
            return None
        counts = self.stats.counts()
        return counts if len(counts) >= 2 else None


def _user_turns(messages: list[Any]) -> int:
    return sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "user")


def class_name(label: str) -> str:
    return show(label, 40) if label else "`` (empty)"
