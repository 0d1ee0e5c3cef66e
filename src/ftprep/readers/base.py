"""What every reader shares: options, errors, decoding, and the generic row job."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ftprep.core.diagnostic import Finding
from ftprep.core.fix import Applicability, DropRecord, FileEdit, Fix
from ftprep.core.jsontext import json_type
from ftprep.core.model import Record
from ftprep.core.reasons import Reason
from ftprep.core.source import JobOutput, Rejection

BOM = b"\xef\xbb\xbf"

# A transform turns one raw row into a record, or says why it cannot (code, message).
Transform = Callable[[Any, int, int], "Record | tuple[str, str]"]


class ReadError(Exception):
    """The file cannot be read at all; reported as IO001 with this message."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file. Every field has a CLI flag of the same name."""

    encoding: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    header: bool = True
    # None: CSV quoting, except for a TSV plainly written one row per line.
    quoting: bool | None = None
    # Columns the mapping needs: picks the sheet when a workbook has several.
    wanted_columns: tuple[str, ...] = ()
    format: str | None = None  # force a reader: jsonl, json, csv, tsv, xlsx
    chunk_bytes: int = 2 * 1024 * 1024


def identity_transform(row: Any, index: int, line: int) -> Record | tuple[str, str]:
    if not isinstance(row, dict):
        return (Reason.RECORD_NOT_OBJECT.code, f"record is a JSON {json_type(row)}, not an object")
    return Record(index=index, data=row, line=line)


@dataclass(frozen=True, slots=True)
class RejectedCells:
    """A table row the reader itself rejects (its cells do not fit the header)."""

    code: str
    message: str
    cells: list[str]


@dataclass
class RowJob:
    """Rows already read by the main process (tables, JSON documents), converted here."""

    first_index: int
    rows: Sequence[tuple[int, Any, str | None]]  # (line or row, raw row, column hint)
    transform: Transform
    issues: list[tuple[str, Finding]] = field(default_factory=list)
    bytes_read: int = 0
    # Spreadsheet rows of the records whose row is not their line (index -> row).
    row_numbers: dict[int, int] | None = None

    def run(self) -> JobOutput:
        records: list[Record] = []
        issues = list(self.issues)
        rejected: list[Rejection] = []
        lines = array("I")
        for offset, (line, raw, _column) in enumerate(self.rows):
            index = self.first_index + offset
            lines.append(line)
            if isinstance(raw, RejectedCells):  # reported by the reader already
                rejected.append(Rejection(index, line, raw.cells, [(raw.code, raw.message)]))
                continue
            result = self.transform(raw, index, line)
            if isinstance(result, Record):
                records.append(result)
            else:
                code, message = result
                issues.append((code, reject_finding(code, message, index, line)))
                rejected.append(Rejection(index, line, raw, [(code, message)]))
        return JobOutput(
            self.first_index,
            lines,
            records,
            issues,
            rejected,
            self.bytes_read,
            rows=self.row_numbers,
        )


def reject_finding(code: str, message: str, index: int, line: int) -> Finding:
    """A record slot that cannot be linted; its unsafe fix quarantines it."""
    fix = Fix(
        title="Move this record to the rejected file",
        edits=(DropRecord(record=index),),
        applicability=Applicability.UNSAFE,
    )
    return Finding(message=message, record=index, line=line, fix=fix)


# -- decoding --------------------------------------------------------------------------
def check_text(path: str, data: bytes | None, encoding: str | None = None) -> None:
    """Raise :class:`ReadError` unless the whole input decodes as ``encoding`` (UTF-8).

    The error names the line and column and the encoding that decodes the whole file
    (``readers.encoding``); a UTF-16 or UTF-32 file is named as such.
    """
    from ftprep.readers import encoding as enc

    try:
        name = enc.canonical(encoding or "utf-8")
        if enc.is_utf8(name):
            head = data[:4096] if data is not None else _head(path, 4096)
            wide = enc.wide_encoding(head)
            if wide is not None:
                raise ReadError(
                    f"the file is {wide.upper()}, not UTF-8; re-run with --encoding {wide} "
                    "or save it as UTF-8"
                )

        def blocks() -> Iterator[bytes]:
            return enc.memory_blocks(data) if data is not None else enc.file_blocks(path)

        enc.check_stream(blocks(), name, blocks)
    except enc.EncodingProblem as exc:
        raise ReadError(str(exc), line=exc.line) from None


def _head(path: str, size: int) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)


def bom_finding() -> Finding:
    return Finding(
        message="file starts with a UTF-8 byte-order mark; it was stripped while reading",
        line=1,
        fix=Fix(
            title="Write the file without a byte-order mark",
            edits=(FileEdit(action="strip-bom", record=None),),
            applicability=Applicability.SAFE,
        ),
    )
