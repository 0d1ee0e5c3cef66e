"""Parquet files (pyarrow), for data pipelines that keep their datasets in columns.

Rows are read in batches as Python values, like a JSON array: a ``messages`` column of
structs is a chat record as it stands, and string columns are a table that ``--map``
picks from. A Parquet schema cannot tell a missing field from a null one (every record has
every struct field), so null fields are read as absent: a user message does not grow a
``tool_calls: null`` because another message has tool calls.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from ftprep.core.diagnostic import Finding
from ftprep.core.location import SourceInfo
from ftprep.core.source import Source
from ftprep.readers.base import ReadError, RowJob, Transform, identity_transform
from ftprep.readers.open import OpenRequest

_BATCH = 2000
INSTALL_HINT = "reading and writing Parquet needs pyarrow: pip install 'ftprep[parquet]'"


def _parquet() -> Any:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ReadError(INSTALL_HINT) from None
    return pq


def open_parquet(request: OpenRequest) -> ParquetSource:
    """The readers table's opener for Parquet."""
    return ParquetSource(request.display, transform=request.transform)


class ParquetSource(Source):
    """A Parquet file read batch by batch; rows numbered from 1."""

    def __init__(self, path: str, transform: Transform = identity_transform) -> None:
        pq = _parquet()
        self.path = path
        self.transform = transform
        try:
            self._file = pq.ParquetFile(path)
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise ReadError(f"not a readable Parquet file: {exc}") from None
        schema = self._file.schema_arrow
        self.columns = list(schema.names)
        import pyarrow as pa

        # Text columns are table cells: a null there is an empty cell, as in a CSV.
        self._text_columns = {
            f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        }
        self.rows = self._file.metadata.num_rows
        self.size = max(1, os.path.getsize(path))
        self.info = SourceInfo(file=path, layout="parquet")

    def file_issues(self) -> list[tuple[str, Finding]]:
        return []

    def sample(self) -> tuple[Any, list[str]]:
        for batch in self._file.iter_batches(batch_size=1):
            rows = batch.to_pylist()
            if rows:
                return self._row(rows[0]), self.columns
        return None, self.columns

    def _row(self, row: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in row.items():
            if value is None:
                if key in self._text_columns:
                    out[key] = ""
                continue
            out[key] = _without_nulls(value)
        return out

    def jobs(self) -> Iterator[RowJob]:
        index = 0
        per_row = self.size / max(1, self.rows)
        for batch in self._file.iter_batches(batch_size=_BATCH):
            rows = [
                (index + n + 1, self._row(row), None) for n, row in enumerate(batch.to_pylist())
            ]
            if rows:
                yield RowJob(index, rows, self.transform, bytes_read=int(per_row * len(rows)))
                index += len(rows)


def _without_nulls(value: Any) -> Any:
    """Drop null fields of structs (dicts) at every depth; lists keep their length."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value
