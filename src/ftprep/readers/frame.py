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

import orjson

from ftprep.core.diagnostic import Finding
from ftprep.core.location import SourceInfo
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


class FrameSource:
    """A DataFrame read as a table: one record per row, rows numbered from 1."""

    def __init__(
        self, frame: Any, name: str = "<dataframe>", transform: Transform = identity_transform
    ) -> None:
        self.frame = frame
        self.transform = transform
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
        index = 0
        n = len(self.frame)
        for start in range(0, n, _BATCH):
            chunk = self.frame.iloc[start : start + _BATCH]
            rows = []
            for offset, values in enumerate(chunk.itertuples(index=False, name=None)):
                texts = [cell_text(v) for v in values]
                if not any(texts):
                    self.skipped_empty += 1
                    continue
                row = dict(zip(self.columns, texts, strict=True))
                rows.append((start + offset + 1, row, None))
            if rows:
                yield RowJob(index, rows, self.transform, bytes_read=len(chunk))
                index += len(rows)


def spool_records(records: Iterable[Any], name: str = "<records>") -> JsonlSource:
    """Write records to a temporary JSONL file (removed when the source is closed or
    collected) and read it back as JSONL, named ``name`` in every diagnostic."""
    fd, path = tempfile.mkstemp(prefix="ftprep-records-", suffix=".jsonl")
    with os.fdopen(fd, "wb", buffering=1024 * 1024) as out:
        for record in records:
            out.write(orjson.dumps(record))
            out.write(b"\n")
    source = SpooledJsonl(path)
    source.info = replace(source.info, file=name)
    return source


class SpooledJsonl(JsonlSource):
    """A JSONL source over a temporary file that it deletes when it is no longer used."""

    def __del__(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            os.unlink(self.path)
