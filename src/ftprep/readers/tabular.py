"""CSV and TSV through pandas, every cell read as the text the user wrote.

``dtype=str`` with NA detection off keeps ``NA``, ``None``, ``null``, ``nan``, ``007`` and
``1.50`` exactly as written and leaves empty cells as empty strings. Quoted cells may span
lines. Rows are numbered as a spreadsheet shows them (the header is row 1), and rows whose
cells are all empty are skipped and counted.
"""

from __future__ import annotations

import csv
import io
import string
from collections.abc import Iterator
from typing import Any

from ftprep.core.diagnostic import Finding
from ftprep.core.location import SourceInfo
from ftprep.readers.base import (
    BOM,
    ReadError,
    RowJob,
    Transform,
    bom_finding,
    check_text,
    identity_transform,
)

DELIMITERS = (",", ";", "\t", "|")
_BATCH = 5000


def column_letters(n: int) -> list[str]:
    """Spreadsheet column names A, B, ... Z, AA, AB ... for headerless tables."""
    out = []
    for i in range(n):
        name, k = "", i + 1
        while k:
            k, rem = divmod(k - 1, 26)
            name = string.ascii_uppercase[rem] + name
        out.append(name)
    return out


def sniff_delimiter(sample: str, quoting: bool = True) -> str:
    """The candidate giving the most columns, the same number on every sampled row."""
    lines = sample.splitlines()[:-1] or sample.splitlines()
    text = "\n".join(lines[:200])
    best, best_score = ",", (-1, 0)
    for delim in DELIMITERS:
        reader = csv.reader(
            io.StringIO(text),
            delimiter=delim,
            quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE,
        )
        try:
            widths = [len(row) for row in reader if row]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        consistent = sum(1 for w in widths if w == widths[0]) / len(widths)
        score = (1 if consistent >= 0.9 else 0, widths[0] * consistent)
        if score > best_score:
            best, best_score = delim, score
    return best


class CsvSource:
    """A CSV or TSV file."""

    def __init__(
        self,
        path: str,
        *,
        transform: Transform = identity_transform,
        delimiter: str | None = None,
        encoding: str | None = None,
        header: bool = True,
        quoting: bool = True,
        is_tsv: bool = False,
        data: bytes | None = None,
    ) -> None:
        self.path = path
        self.transform = transform
        self._issues: list[tuple[str, Finding]] = []
        self.encoding = encoding or "utf-8"
        self.header = header
        self.quoting = quoting
        self.skipped_empty = 0
        self._data = data
        raw_head = data[:65536] if data is not None else _head(path)
        if not raw_head.strip(b" \t\r\n\xef\xbb\xbf"):
            raise ReadError("file is empty")
        if raw_head.startswith(BOM) and self.encoding.replace("_", "-").lower() in (
            "utf-8",
            "utf8",
        ):
            self.encoding = "utf-8-sig"
            self._issues.append(("IO004", bom_finding()))
        # Every byte is checked before pandas reads any: its decoding errors name no line.
        check_text(path, data, encoding)
        try:
            head_text = raw_head.decode(self.encoding, errors="ignore")
        except LookupError:
            raise ReadError(f"unknown encoding {encoding!r}") from None
        if delimiter is None:
            delimiter = "\t" if is_tsv else sniff_delimiter(head_text, quoting)
        self.delimiter = delimiter
        self._head_text = head_text
        self.size = len(data) if data is not None else _size(path)
        name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, delimiter)
        self.info = SourceInfo(file=path, layout=f"{'tsv' if is_tsv else 'csv'} ({name}-separated)")
        self.columns: list[str] = []

    def file_issues(self) -> list[tuple[str, Finding]]:
        return self._issues

    def sample(self) -> tuple[Any, list[str]]:
        """The header's column names (A, B, C... without a header), as a sample row."""
        reader = csv.reader(
            io.StringIO(self._head_text),
            delimiter=self.delimiter,
            quoting=csv.QUOTE_MINIMAL if self.quoting else csv.QUOTE_NONE,
        )
        first = next(reader, [])
        names = [c.lstrip("\ufeff") for c in first] if self.header else column_letters(len(first))
        return dict.fromkeys(names, ""), names

    def _frames(self) -> Iterator[Any]:
        import pandas as pd

        source: Any = io.BytesIO(self._data) if self._data is not None else open(self.path, "rb")  # noqa: SIM115
        self._handle = source
        try:
            reader = pd.read_csv(
                source,
                sep=self.delimiter,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding=self.encoding,
                header=0 if self.header else None,
                skip_blank_lines=False,
                quoting=csv.QUOTE_MINIMAL if self.quoting else csv.QUOTE_NONE,
                chunksize=_BATCH,
                engine="c",
            )
            yield from reader
        except pd.errors.EmptyDataError:
            raise ReadError("file is empty") from None
        except pd.errors.ParserError as exc:
            raise ReadError(
                f"cannot split the file into rows with delimiter {self.delimiter!r}: {exc}. "
                "Pass --delimiter, or check the quoting of the row named"
            ) from None
        except UnicodeDecodeError as exc:
            raise ReadError(f"cannot decode the file as {self.encoding}: {exc}") from None
        finally:
            source.close()

    def jobs(self) -> Iterator[RowJob]:
        self.skipped_empty = 0  # counted again on every read
        index = 0
        row_number = 1 if self.header else 0
        position = 0
        for frame in self._frames():
            # How far pandas has read, for progress bars (it reads ahead in blocks).
            consumed = self._handle.tell() - position
            position += consumed
            if not self.columns:
                names = [str(c) for c in frame.columns]
                self.columns = column_letters(len(names)) if not self.header else names
                _check_header(self.columns)
            rows = []
            for values in frame.itertuples(index=False, name=None):
                row_number += 1
                if not any(values):
                    self.skipped_empty += 1
                    continue
                rows.append((row_number, dict(zip(self.columns, values, strict=True)), None))
            if rows:
                yield RowJob(index, rows, self.transform, bytes_read=consumed)
                index += len(rows)


def _check_header(columns: list[str]) -> None:
    empty = [i + 1 for i, c in enumerate(columns) if c.startswith("Unnamed: ") or not c.strip()]
    if empty and len(empty) == len(columns):
        raise ReadError("the header row is empty; pass --no-header if the file has no header")


def _head(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(65536)


def _size(path: str) -> int:
    import os

    return os.path.getsize(path)
