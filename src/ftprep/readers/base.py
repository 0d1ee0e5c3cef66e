"""What every reader shares: options, errors, decoding, and the generic row job."""

from __future__ import annotations

import codecs
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ftprep.core.diagnostic import Finding
from ftprep.core.fix import Applicability, Edit, Fix
from ftprep.core.linter import JobOutput, Rejection
from ftprep.core.model import Record

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
    quoting: bool = True
    # Columns the mapping needs: picks the sheet when a workbook has several.
    wanted_columns: tuple[str, ...] = ()
    format: str | None = None  # force a reader: jsonl, json, csv, tsv, xlsx
    chunk_bytes: int = 2 * 1024 * 1024


def identity_transform(row: Any, index: int, line: int) -> Record | tuple[str, str]:
    if not isinstance(row, dict):
        return ("IO003", f"record is a JSON {json_type(row)}, not an object")
    return Record(index=index, data=row, line=line)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)


@dataclass
class RowJob:
    """Rows already read by the main process (tables, JSON documents), converted here."""

    first_index: int
    rows: list[tuple[int, Any, str | None]]  # (line or row, raw row, column hint)
    transform: Transform
    issues: list[tuple[str, Finding]] = field(default_factory=list)
    bytes_read: int = 0

    def run(self) -> JobOutput:
        records: list[Record] = []
        issues = list(self.issues)
        rejected: list[Rejection] = []
        lines = array("I")
        for offset, (line, raw, _column) in enumerate(self.rows):
            index = self.first_index + offset
            lines.append(line)
            result = self.transform(raw, index, line)
            if isinstance(result, Record):
                records.append(result)
            else:
                code, message = result
                issues.append((code, reject_finding(code, message, index, line)))
                rejected.append(Rejection(index, line, raw, [(code, message)]))
        return JobOutput(self.first_index, lines, records, issues, rejected, self.bytes_read)


def reject_finding(code: str, message: str, index: int, line: int) -> Finding:
    """A record slot that cannot be linted; its unsafe fix quarantines it."""
    fix = Fix(
        title="Move this record to the rejected file",
        edits=(Edit("drop-record", index),),
        applicability=Applicability.UNSAFE,
    )
    return Finding(message=message, record=index, line=line, fix=fix)


# -- decoding --------------------------------------------------------------------------
_CANDIDATE_ENCODINGS = ("cp1252", "gbk", "shift_jis", "big5", "euc-kr", "cp1251", "latin-1")


def likely_encodings(sample: bytes, limit: int = 3) -> list[str]:
    """Encodings that decode ``sample`` cleanly, most plausible first."""
    scored = []
    for name in _CANDIDATE_ENCODINGS:
        try:
            text = sample.decode(name)
        except UnicodeDecodeError:
            continue
        if not text:
            continue
        odd = sum(1 for ch in text if ch in "\ufffd\x81\x8d\x8f\x90\x9d" or 0x80 <= ord(ch) < 0xA0)
        letters = sum(1 for ch in text if ch.isalpha() or ch.isspace() or ch in ",.;:!?'\"-()")
        scored.append((odd, -letters / len(text), _CANDIDATE_ENCODINGS.index(name), name))
    scored.sort()
    return [s[3] for s in scored[:limit]]


def check_utf8(data: bytes, base_offset: int = 0) -> None:
    """Raise ReadError naming the byte offset and likely encodings if ``data`` is not UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise undecodable_error(data, exc, base_offset) from None


def undecodable_error(data: bytes, exc: UnicodeDecodeError, base_offset: int = 0) -> ReadError:
    offset = base_offset + exc.start
    line = data.count(b"\n", 0, exc.start) + 1 if base_offset == 0 else None
    window = data[max(0, exc.start - 2000) : exc.start + 2000]
    guesses = likely_encodings(window) or ["an 8-bit code page"]
    where = f"line {line}, " if line else ""
    return ReadError(
        f"not valid UTF-8 at byte {offset} ({where}byte 0x{data[exc.start]:02x}); "
        f"likely encodings: {', '.join(guesses)}. Re-run with --encoding {guesses[0]} "
        "to transcode, or save the file as UTF-8",
        line=line,
    )


def check_utf8_stream(path: str, block: int = 8 * 1024 * 1024) -> None:
    """Validate a whole file as UTF-8 without holding it in memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(block)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise undecodable_error(chunk, exc, offset) from None
            if not chunk:
                return
            offset += len(chunk)


def bom_finding() -> Finding:
    return Finding(
        message="file starts with a UTF-8 byte-order mark; it was stripped while reading",
        line=1,
        fix=Fix(
            title="Write the file without a byte-order mark",
            edits=(Edit("strip-bom", None),),
            applicability=Applicability.SAFE,
        ),
    )
