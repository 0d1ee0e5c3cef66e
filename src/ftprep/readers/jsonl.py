"""JSONL: streamed in chunks cut at newlines, parsed with orjson, one record per line.

Chunks are counted in the main process (lines and blank lines are a memchr-speed scan), so
each chunk knows the 1-based line and the record index it starts at and can be parsed in a
worker process. Duplicate keys are invisible to orjson (the last wins), so each line's key
count is compared with the number of ``":`` in its text, and only lines where the two differ
are re-parsed with the standard library to name the duplicate.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from ftprep.core import jsontext
from ftprep.core.diagnostic import Finding
from ftprep.core.fix import Applicability, FileEdit, Fix
from ftprep.core.location import SourceInfo
from ftprep.core.model import Record
from ftprep.core.pointer import escape
from ftprep.core.reasons import Reason
from ftprep.core.source import JobOutput, Rejection, Source
from ftprep.readers.base import (
    BOM,
    ReadError,
    Transform,
    bom_finding,
    identity_transform,
    reject_finding,
)
from ftprep.readers.encoding import DETECT_BYTES, damaged_lines_hint, line_problem, wide_encoding
from ftprep.readers.open import OpenRequest, utf8_data

# Every byte but a line feed and an opening brace.
_NOT_LINE_OR_BRACE = bytes(b for b in range(256) if b not in b"\n{")


def count_lines(chunk: bytes) -> tuple[int, int]:
    """(lines, blank lines) of a chunk that ends with a newline; a blank line is empty or
    whitespace only.

    A blank line holds no ``{``. With every byte but line feeds and braces deleted (one
    ``translate``, leaving a few bytes per line), a line holding a brace shows as a line
    feed followed by a brace: when every line does (the JSONL norm) none is blank.
    Otherwise the chunk is split and each line checked.
    """
    kept = chunk.translate(None, _NOT_LINE_OR_BRACE)
    lines = kept.count(b"\n")
    if kept.count(b"\n{") + (kept[:1] == b"{") - kept.endswith(b"\n{") == lines:
        return lines, 0
    return lines, sum(1 for line in chunk.split(b"\n")[:lines] if not line.strip())


def count_keys(value: Any) -> int:
    """Keys in every object of a parsed JSON value."""
    t = type(value)
    if t is dict:
        n = len(value)
        for v in value.values():
            tv = type(v)
            if tv is dict or tv is list:
                n += count_keys(v)
        return n
    if t is list:
        n = 0
        for v in value:
            tv = type(v)
            if tv is dict or tv is list:
                n += count_keys(v)
        return n
    return 0


class _Pairs(list[tuple[str, Any]]):
    """An object as its list of (key, value) pairs, so repeated keys survive parsing."""


def find_duplicate_keys(text: str) -> list[tuple[str, str]]:
    """(JSON pointer of the repeated key, key) for every repeated key, via the stdlib parser."""
    tree = json.loads(text, object_pairs_hook=_Pairs)
    found: list[tuple[str, str]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, _Pairs):
            seen: set[str] = set()
            for key, value in node:
                if key in seen:
                    found.append((f"{path}/{escape(key)}", key))
                seen.add(key)
                walk(value, f"{path}/{escape(key)}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}/{i}")

    walk(tree, "")
    return found


def duplicate_key_findings(raw: bytes | str, obj: Any, index: int, line: int) -> list[Finding]:
    """Findings for IO006 if ``raw`` repeats a key; cheap when it does not."""
    data = raw.encode() if isinstance(raw, str) else raw
    # Unescaped `":` follows every key; a key written as `"k" :` makes the counts differ too,
    # which only sends that line down the exact (slower) path.
    if data.count(b'":') == count_keys(obj):
        return []
    text = raw if isinstance(raw, str) else raw.decode("utf-8")
    return [
        Finding(
            message=f"key {key!r} appears more than once in one object; parsers keep only "
            "the last value, so the earlier ones are silently lost",
            record=index,
            line=line,
            pointer=pointer,
        )
        for pointer, key in find_duplicate_keys(text)
    ]


def decode_error_finding(exc: orjson.JSONDecodeError, index: int, line: int) -> Finding:
    column = getattr(exc, "colno", None)
    message = str(exc.msg if hasattr(exc, "msg") else exc)
    where = f"column {column}: " if column else ""
    hint = ""
    if message.startswith("unexpected end of data") or "EOF" in message:
        hint = " (a JSON object spread over several lines? JSONL needs one object per line)"
    elif "control character" in message:
        hint = " (a tab, newline or NUL inside a string must be escaped: \\t, \\n, \\u0000)"
    elif "depth limit" in message:
        message = "nested more than 1,024 levels deep, more than JSON parsers accept"
    f = reject_finding(
        Reason.INVALID_JSON.code, f"invalid JSON at {where}{message}{hint}", index, line
    )
    f.column = None
    return f


@dataclass
class JsonlJob:
    """One chunk of a JSONL file: whole lines, with the line and record index it starts at."""

    data: bytes
    first_line: int
    first_index: int
    transform: Transform = identity_transform
    check_duplicates: bool = True
    issues: list[tuple[str, Finding]] = field(default_factory=list)
    # Where ``data`` lies in the input file, when it is read from one: a worker process then
    # reads those bytes itself rather than receiving them through a pipe.
    path: str | None = None
    offset: int = 0
    # Set when the chunk holds bytes that are not UTF-8: the advice for such lines.
    encoding_hint: str = ""
    # Keep each record's line as read (the fixer writes unedited lines back byte for byte).
    keep_raw: bool = False

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        if self.path is not None:
            state["size"], state["data"] = len(self.data), b""
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        size = state.pop("size", None)
        self.__dict__.update(state)
        if size is not None:
            with open(state["path"], "rb") as fh:
                fh.seek(self.offset)
                self.data = fh.read(size)

    def run(self) -> JobOutput:
        records: list[Record] = []
        issues = list(self.issues)
        rejected: list[Rejection] = []
        lines = array("I")
        # orjson reads integers beyond 64 bits as floats: a chunk with such digit runs is
        # parsed with the exact (slower) reader.
        loads = jsontext.loads if jsontext.has_long_numbers(self.data) else orjson.loads
        keep_raw = self.keep_raw
        transform = self.transform
        native = transform is identity_transform
        check_duplicates = self.check_duplicates
        index = self.first_index
        line = self.first_line - 1
        pieces = self.data.split(b"\n")
        if pieces and pieces[-1] == b"":
            pieces.pop()
        for raw in pieces:
            line += 1
            try:
                obj = loads(raw)
            except orjson.JSONDecodeError as exc:
                if not raw.strip():
                    issues.append((Reason.BLANK_LINE.code, _blank_finding(line)))
                    continue
                lines.append(line)
                damaged = line_problem(raw, self.encoding_hint) if self.encoding_hint else None
                finding = (
                    decode_error_finding(exc, index, line)
                    if damaged is None
                    else reject_finding(Reason.INVALID_JSON.code, damaged, index, line)
                )
                issues.append((Reason.INVALID_JSON.code, finding))
                # A line that is not UTF-8 keeps its bytes: nothing of it is lost.
                kept: str | bytes = raw if damaged is not None else raw.decode("utf-8")
                rejected.append(
                    Rejection(index, line, kept, [(Reason.INVALID_JSON.code, finding.message)])
                )
                index += 1
                continue
            lines.append(line)
            if check_duplicates and type(obj) is dict and raw.count(b'":') != count_keys(obj):
                for finding in duplicate_key_findings(raw, obj, index, line):
                    issues.append((Reason.DUPLICATE_KEY.code, finding))
            if native and type(obj) is dict:
                records.append(Record(index, obj, line, raw=raw if keep_raw else None))
                index += 1
                continue
            result = transform(obj, index, line)
            if isinstance(result, Record):
                if keep_raw and (result.data is obj or result.renamed):
                    result.raw = raw  # as read: written back where no edit touched it
                records.append(result)
            else:
                code, message = result
                issues.append((code, reject_finding(code, message, index, line)))
                rejected.append(Rejection(index, line, obj, [(code, message)]))
            index += 1
        return JobOutput(self.first_index, lines, records, issues, rejected, len(self.data))


def _blank_finding(line: int) -> Finding:
    return Finding(
        message="blank line between records",
        line=line,
        fix=Fix(
            title="Remove the blank line",
            edits=(FileEdit(action="remove-blank-line", record=None, line=line),),
            applicability=Applicability.SAFE,
        ),
    )


# The last TAPER_BLOCKS blocks' worth of input is read in smaller blocks (see _block_size).
TAPER_BLOCKS = 4
MIN_BLOCK_BYTES = 64 * 1024


def open_jsonl(request: OpenRequest) -> JsonlSource:
    """The readers table's opener for JSONL."""
    return JsonlSource(
        request.display,
        data=utf8_data(request),
        transform=request.transform,
        chunk_bytes=request.options.chunk_bytes,
    )


class JsonlSource(Source):
    """A JSONL file (or JSONL text already in memory, e.g. from stdin or transcoding)."""

    chunk_bytes: int  # always cut by size

    def __init__(
        self,
        path: str,
        *,
        data: bytes | None = None,
        transform: Transform = identity_transform,
        chunk_bytes: int = 2 * 1024 * 1024,
        layout: str = "jsonl",
        sheet: str | None = None,
    ) -> None:
        self.path = path
        self._data = data
        self.transform = transform
        self.chunk_bytes = chunk_bytes
        self.info = SourceInfo(file=path, sheet=sheet, layout=layout)
        self._file_issues: list[tuple[str, Finding]] = []
        self._size = len(data) if data is not None else None
        self._hint: str | None = None
        self._cr_only = False
        # Set by the fixer: records keep their lines as read.
        self.keep_raw = False

    @property
    def size(self) -> int:
        if self._size is None:
            import os

            self._size = os.path.getsize(self.path)
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        self._size = value

    def file_issues(self) -> list[tuple[str, Finding]]:
        return self._file_issues

    def sample(self) -> tuple[Any, list[str] | None]:
        """The first record that parses, to recognise the layout (None if there is none)."""
        head = self._data[: 1 << 20] if self._data is not None else _read_head(self.path)
        for raw in head.lstrip(BOM).split(b"\n")[:1000]:
            if raw.strip():
                try:
                    return orjson.loads(raw), None
                except orjson.JSONDecodeError:
                    continue
        return None, None

    def _block_size(self, remaining: int) -> int:
        """Full blocks, then eighth-size ones over the last few: parallel workers then finish
        together, instead of one idling while the other runs a last full block."""
        if remaining <= TAPER_BLOCKS * self.chunk_bytes:
            return max(self.chunk_bytes // 8, min(self.chunk_bytes, MIN_BLOCK_BYTES))
        return self.chunk_bytes

    def _blocks(self) -> Iterator[bytes]:
        if self._data is not None:
            data, start = self._data, 0
            while start < len(data):
                end = start + self._block_size(len(data) - start)
                yield data[start:end]
                start = end
            return
        size, done = self.size, 0
        with open(self.path, "rb") as fh:
            while True:
                block = fh.read(self._block_size(size - done))
                if not block:
                    return
                done += len(block)
                yield block

    def jobs(self) -> Iterator[JsonlJob]:
        self._file_issues = []
        first_line, first_index = 1, 0
        carry = b""
        offset = 0
        first = True
        self._cr_only = False
        for block in self._blocks():
            if self._cr_only:
                block = block.replace(b"\r", b"\n")
            data = carry + block
            if first:
                first = False
                # Line ends of old Macs (CR alone) are line ends too: the file is read with
                # each CR as a line feed (and its jobs get the bytes, not the file).
                if b"\n" not in data and b"\r" in data:
                    self._cr_only = True
                    data = data.replace(b"\r", b"\n")
                wide = wide_encoding(data[:4096])
                if wide is not None:
                    raise ReadError(
                        f"the file is {wide.upper()}, not UTF-8; re-run with --encoding {wide} "
                        "or save it as UTF-8"
                    )
                if data.startswith(BOM):
                    data = data[len(BOM) :]
                    offset += len(BOM)
                    self._file_issues.append((Reason.BYTE_ORDER_MARK.code, bom_finding()))
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            chunk, carry = data[:cut], data[cut:]
            yield from self._job(chunk, offset, first_line, first_index)
            n_lines, n_blank = count_lines(chunk)
            first_line += n_lines
            first_index += n_lines - n_blank
            offset += len(chunk)
        if first and self._data is None:
            return
        if carry:
            yield from self._job(carry, offset, first_line, first_index)

    def _job(
        self, chunk: bytes, offset: int, first_line: int, first_index: int
    ) -> Iterator[JsonlJob]:
        hint = ""
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            hint = self._encoding_hint()  # the lines that are not UTF-8 are rejected
        # In-memory text has no file to read, and CR-only text differs from its file.
        path = self.path if self._data is None and not self._cr_only else None
        yield JsonlJob(
            chunk,
            first_line,
            first_index,
            self.transform,
            path=path,
            offset=offset,
            encoding_hint=hint,
            keep_raw=self.keep_raw,
        )

    def _encoding_hint(self) -> str:
        """Advice for lines that are not UTF-8, worked out once from the whole file."""
        if self._hint is None:
            taken, blocks = 0, []
            for block in self._blocks():
                blocks.append(block)
                taken += len(block)
                if taken >= DETECT_BYTES:
                    break
            self._hint = damaged_lines_hint(b"".join(blocks))
        return self._hint


def _read_head(path: str, size: int = 1 << 20) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)
