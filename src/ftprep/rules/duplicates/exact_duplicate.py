from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator
from typing import Any

from ftprep.core import jsontext
from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, DropRecord, Fix, FixAvailability
from ftprep.core.location import Related
from ftprep.core.rule import Rule, RuleContext, Scope
from ftprep.rules.repeats import repeated_values
from ftprep.rules.texts import collapse_runs, collapsed_values


def record_fingerprint(data: dict[str, Any], fold: Callable[[str], str] = collapse_runs) -> int:
    """64-bit hash of a record with whitespace runs collapsed (inside strings too)."""
    return record_fingerprints(data, fold)[0]


def record_fingerprints(
    data: dict[str, Any], fold: Callable[[str], str] = collapse_runs
) -> tuple[int, int]:
    """(folded, exact): 64-bit hashes of a record with whitespace runs collapsed (inside
    strings too) and as written. They are equal when folding changes nothing, and the
    exact one is only computed when it does.

    A record of string fields (the prompt/completion shape) is hashed from its folded
    values; any other shape from its JSON text folded the same way. Equal records always
    take the same path, so they always get the same fingerprint. ``fold`` is
    :func:`collapse_runs`, or a batch's cached form of it.
    """
    parts: list[str] = []
    changed = False
    for key, value in data.items():
        if type(value) is not str:
            break
        folded = fold(value)
        changed = changed or (folded is not value and folded != value)
        parts.append(key)
        parts.append(folded)
    else:
        digest = _digest("\x00".join(parts).encode())
        if not changed:
            return digest, digest
        # As written: the record's JSON text, as the other path hashes it (and serialising
        # takes less time than joining the values again).
        return digest, _digest(jsontext.dumps(data))
    raw = jsontext.dumps(data)
    written = raw
    if b"\\" in raw:
        raw = raw.replace(b"\\n", b" ").replace(b"\\t", b" ").replace(b"\\r", b" ")
    while b"  " in raw:
        raw = raw.replace(b"  ", b" ")
    digest = _digest(raw)
    return digest, digest if raw == written else _digest(written)


def batch_fingerprints(batch: Batch) -> list[tuple[int, int]]:
    """:func:`record_fingerprints` of each record, folding with the batch's collapsed
    values (:func:`collapsed_values`, which the label rules share)."""
    shared = collapsed_values(batch)

    def fold(value: str) -> str:
        return shared[id(value)]

    return [record_fingerprints(record.data, fold) for record in batch.records]


def _digest(raw: bytes) -> int:
    """64 bits of SHA-256: the same in every process (a Dask cluster too), and with the
    CPU's SHA instructions 0.8x the time of blake2b, which Python implements in plain C."""
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "little")


class RecordHashes(Collector):
    """The engine-owned fingerprint of every record, whitespace folded (and as written
    where folding changed it), from which exact copies are found."""

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.indexes = array("I")
        self.hashes = array("Q")
        # Hashes of the records as written, where folding whitespace changed the record
        # (record index -> hash); the others are as written what ``hashes`` says.
        self.exact: dict[int, int] = {}

    def feed(self, batch: Batch) -> None:
        indexes = [record.index for record in batch.records]
        pairs = batch_fingerprints(batch)
        self.indexes.extend(indexes)
        self.hashes.extend([folded for folded, _ in pairs])
        self.exact.update(
            (i, exact) for i, (folded, exact) in zip(indexes, pairs, strict=True) if exact != folded
        )

    def merge(self, other: Collector) -> None:
        assert isinstance(other, RecordHashes)
        self.indexes.extend(other.indexes)
        self.hashes.extend(other.hashes)
        self.exact.update(other.exact)

    def duplicate_pairs(self) -> list[tuple[int, int]]:
        """(later copy, first copy) record indexes, in input order."""
        hashes, indexes = self.hashes, self.indexes
        repeated = repeated_values(hashes)
        if not repeated:
            return []
        first: dict[int, int] = {}  # hash -> index of its first record (input order)
        pairs = []
        for k, h in enumerate(hashes):
            if h in repeated:
                original = first.setdefault(h, indexes[k])
                if original != indexes[k]:
                    pairs.append((indexes[k], original))
        pairs.sort()
        return pairs


class ExactDuplicate(Rule):
    """## What it does
    Reports a record identical to an earlier one once runs of whitespace are collapsed, and
    points at the first copy.

    ## Why is this bad?
    Duplicates weigh some examples more than others, waste training tokens, and inflate
    validation scores when copies land on both sides of a split.

    ## Example
    ```jsonl
    {"prompt": "Hi ->", "completion": " Hello\\n"}
    {"prompt": "Hi  ->", "completion": " Hello\\n"}
    ```

    ## Use instead
    ```jsonl
    {"prompt": "Hi ->", "completion": " Hello\\n"}
    ```

    ## Options
    None.

    ## Fix safety
    Safe when the copy is identical as written: the fix drops the later copies (to the
    rejected file) and the first stays. Unsafe when the copies differ in whitespace (the
    indentation of code can change its meaning).

    ## References
    - openai-python `_validators.py` (`duplicated_rows`); Axolotl exact deduplication
    """

    code = "DP001"
    name = "exact-duplicate"
    group = "duplicates"
    scope = Scope.DATASET
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS

    def collects(self) -> Collects:
        return Collects(RecordHashes)

    def duplicate_pairs(self) -> list[tuple[int, int]]:
        hashes: RecordHashes = self.collected
        return hashes.duplicate_pairs()

    @property
    def exact(self) -> dict[int, int]:
        hashes: RecordHashes = self.collected
        return hashes.exact

    def finish(self) -> Iterator[Finding]:
        line_of = self.ctx.line_of
        exact = self.exact
        for later, first in self.duplicate_pairs():
            line = line_of(first) if line_of is not None else None
            # Copies that differ in whitespace (the indentation of code, say) may differ in
            # meaning: dropping one is a choice for a person.
            same = exact.get(later) == exact.get(first)
            where = f"the record at line {line}" if line else f"record {first}"
            yield Finding(
                f"duplicate of {where}"
                + ("" if same else " once runs of whitespace are collapsed"),
                record=later,
                related=(Related(file=self.ctx.file, line=line, record=first),),
                fix=Fix(
                    title="Drop this duplicate",
                    edits=(DropRecord(record=later),),
                    applicability=Applicability.SAFE if same else Applicability.UNSAFE,
                ),
            )
