from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Edit, Fix, FixAvailability
from ftprep.core.location import Related
from ftprep.core.model import Batch
from ftprep.core.rule import Rule, Scope
from ftprep.rules.batch_texts import collapsed_values
from ftprep.rules.repeats import repeated_values
from ftprep.rules.texts import collapse_runs


def record_fingerprint(data: dict[str, Any], fold: Callable[[str], str] = collapse_runs) -> int:
    """64-bit hash of a record with whitespace runs collapsed (inside strings too).

    A record of string fields (the prompt/completion shape) is hashed from its folded
    values; any other shape from its JSON text folded the same way. Equal records always
    take the same path, so they always get the same fingerprint. ``fold`` is
    :func:`collapse_runs`, or a batch's cached form of it.
    """
    parts: list[str] = []
    for key, value in data.items():
        if type(value) is not str:
            break
        parts.append(key)
        parts.append(fold(value))
    else:
        return _digest("\x00".join(parts).encode())
    raw = orjson.dumps(data)
    if b"\\" in raw:
        raw = raw.replace(b"\\n", b" ").replace(b"\\t", b" ").replace(b"\\r", b" ")
    while b"  " in raw:
        raw = raw.replace(b"  ", b" ")
    return _digest(raw)


def batch_fingerprints(batch: Batch) -> list[int]:
    """:func:`record_fingerprint` of each record, folding with the batch's collapsed values
    (:func:`collapsed_values`, which the label rules share)."""
    shared = collapsed_values(batch)

    def fold(value: str) -> str:
        return shared[id(value)]

    return [record_fingerprint(record.data, fold) for record in batch.records]


def _digest(raw: bytes) -> int:
    """64 bits of SHA-256: the same in every process (a Dask cluster too), and with the
    CPU's SHA instructions 0.8x the time of blake2b, which Python implements in plain C."""
    return int.from_bytes(hashlib.sha256(raw).digest()[:8], "little")


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
    Safe: the fix drops the later copies (to the rejected file); the first stays.

    ## References
    - openai-python `_validators.py` (`duplicated_rows`); Axolotl exact deduplication
    """

    code = "DP001"
    name = "exact-duplicate"
    group = "duplicates"
    scope = Scope.DATASET
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS

    def __init__(self, options: Any, ctx: Any) -> None:
        super().__init__(options, ctx)
        self.indexes = array("I")
        self.hashes = array("Q")

    def check_batch(self, batch: Batch) -> tuple[()]:
        self.indexes.extend([record.index for record in batch.records])
        self.hashes.extend(batch_fingerprints(batch))
        return ()

    def state(self) -> tuple[array, array]:
        return self.indexes, self.hashes

    def merge(self, state: tuple[array, array]) -> None:
        self.indexes.extend(state[0])
        self.hashes.extend(state[1])

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

    def finish(self) -> Iterator[Finding]:
        line_of = self.ctx.extra.get("line_of")
        for later, first in self.duplicate_pairs():
            line = line_of(first) if line_of is not None else None
            yield Finding(
                f"duplicate of the record at line {line}"
                if line
                else f"duplicate of record {first}",
                record=later,
                related=(Related(file=self.ctx.file, line=line, record=first),),
                fix=Fix(
                    title="Drop this duplicate",
                    edits=(Edit("drop-record", later),),
                    applicability=Applicability.SAFE,
                ),
            )
