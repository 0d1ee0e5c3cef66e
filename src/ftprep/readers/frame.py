"""Records that are already in memory: a pandas DataFrame, or an iterable of dicts.

Pipelines hold their data as DataFrames or record iterators; these sources let them use the
same conversion and rules as files, without writing a file first. A DataFrame is a table:
every cell becomes text as a spreadsheet would show it (missing values become empty cells),
and ``mapping`` picks its columns, exactly as for a CSV. An iterable of records is spooled
to a temporary JSONL file once, because the fixer and the dataset rules read their input
more than once and an iterator can only be read once.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from ftprep.core import jsontext
from ftprep.core.diagnostic import Finding
from ftprep.core.location import SourceInfo
from ftprep.core.source import Source
from ftprep.readers.base import RowJob, Transform, identity_transform
from ftprep.readers.jsonl import JsonlSource

_BATCH = 2000


def cell_text(value: Any) -> str:
    """A cell as text: strings as written, missing values empty, numbers as Python prints them."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


class FrameSource(Source):
    """A DataFrame read as a table: one record per row, rows numbered from 1."""

    def __init__(
        self,
        frame: Any,
        name: str = "<dataframe>",
        transform: Transform = identity_transform,
        first_index: int = 0,
        first_row: int = 1,
    ) -> None:
        """``first_index``/``first_row``: where this frame starts when it is one partition
        of a larger dataset (record indexes and row numbers continue across partitions)."""
        self.frame = frame
        self.transform = transform
        self.first_index, self.first_row = first_index, first_row
        self.columns = [str(c) for c in frame.columns]
        self.info = SourceInfo(file=name, layout="dataframe")
        self.size = max(1, len(frame))
        self.skipped_empty = 0

    def file_issues(self) -> list[tuple[str, Finding]]:
        return []

    def sample(self) -> tuple[Any, list[str]]:
        return dict.fromkeys(self.columns, ""), self.columns

    def jobs(self) -> Iterator[RowJob]:
        self.skipped_empty = 0
        jobs = frame_jobs(
            self.frame, self.columns, self.transform, self.first_index, self.first_row
        )
        for job in jobs:
            self.skipped_empty += job.skipped
            yield job.job


class _FrameJob:
    __slots__ = ("job", "skipped")

    def __init__(self, job: RowJob, skipped: int) -> None:
        self.job, self.skipped = job, skipped


def frame_jobs(
    frame: Any,
    columns: list[str],
    transform: Transform,
    first_index: int = 0,
    first_row: int = 1,
) -> Iterator[_FrameJob]:
    """Jobs over a pandas frame's rows: record indexes from ``first_index`` (empty rows are
    skipped and take none), row numbers from ``first_row`` (empty rows keep theirs). A Dask
    partition passes the offsets of the partitions before it."""
    index = first_index
    for start in range(0, len(frame), _BATCH):
        chunk = frame.iloc[start : start + _BATCH]
        rows, skipped = [], 0
        for offset, values in enumerate(chunk.itertuples(index=False, name=None)):
            texts = [cell_text(v) for v in values]
            if not any(texts):
                skipped += 1
                continue
            rows.append((first_row + start + offset, dict(zip(columns, texts, strict=True)), None))
        if rows:
            yield _FrameJob(RowJob(index, rows, transform, bytes_read=len(chunk)), skipped)
            index += len(rows)
        elif skipped:
            yield _FrameJob(RowJob(index, [], transform, bytes_read=len(chunk)), skipped)


def nonempty_rows(frame: Any) -> int:
    """How many rows of a frame hold at least one non-empty cell (the records it makes)."""
    return sum(
        1 for values in frame.itertuples(index=False, name=None) if any(map(cell_text, values))
    )


def spool_records(records: Iterable[Any], name: str = "<records>") -> JsonlSource:
    """Write records to a temporary JSONL file (removed when the source is closed or
    collected) and read it back as JSONL, named ``name`` in every diagnostic."""
    fd, path = tempfile.mkstemp(prefix="ftprep-records-", suffix=".jsonl")
    with os.fdopen(fd, "wb", buffering=1024 * 1024) as out:
        for record in records:
            out.write(jsontext.dumps(record))
            out.write(b"\n")
    source = SpooledJsonl(path)
    source.info = replace(source.info, file=name)
    return source


class SpooledJsonl(JsonlSource):
    """A JSONL source over a temporary file that it deletes when it is no longer used."""

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.unlink(self.path)
