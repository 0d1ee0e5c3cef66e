"""JSON documents, recognised from content rather than the file name.

A ``.json`` file may hold an array of records, an object holding one array (or several:
pick one with ``--sheet KEY``), a single record, pretty-printed objects one after another,
or plain JSONL. The report says which layout was found. Line numbers of array elements
come from a light scanner over strings and brackets, so diagnostics point at the line where
each record starts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import orjson

from ftprep.core import jsontext
from ftprep.core.diagnostic import Finding
from ftprep.core.location import SourceInfo
from ftprep.core.reasons import Reason
from ftprep.core.source import Source
from ftprep.readers.base import (
    BOM,
    ReadError,
    RowJob,
    Transform,
    bom_finding,
    check_text,
    identity_transform,
)
from ftprep.readers.jsonl import JsonlSource, duplicate_key_findings
from ftprep.readers.open import OpenRequest, utf8_data

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')
_BATCH = 2000


def element_spans(text: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) offsets of the elements of the array opening at ``text[start]``."""
    spans: list[tuple[int, int]] = []
    depth = 0
    elem_start = -1
    pos = start
    for match in _TOKENS.finditer(text, start):
        tok = match.group()
        pos = match.start()
        if tok[0] == '"':
            if depth == 1 and elem_start < 0:
                elem_start = pos
            continue
        if tok in "[{":
            depth += 1
            if depth == 2 and elem_start < 0:
                elem_start = pos
        else:
            if depth == 2 and tok in "]}":
                spans.append((elem_start, match.end()))
                elem_start = -1
            depth -= 1
            if depth == 0:
                break
    return spans


def _line_of(text: str, offsets: list[int]) -> list[int]:
    lines, last, line = [], 0, 1
    for off in offsets:
        line += text.count("\n", last, off)
        last = off
        lines.append(line)
    return lines


def open_json(request: OpenRequest) -> JsonDocumentSource:
    """The readers table's opener for a JSON document (an array, or an object of them)."""
    data = utf8_data(request)
    if data is None:
        with open(request.path, "rb") as fh:
            data = fh.read()
    return JsonDocumentSource(
        request.display, data, transform=request.transform, key=request.options.sheet
    )


class JsonDocumentSource(Source):
    """A ``.json`` file read whole (documents are small next to JSONL exports)."""

    def __init__(
        self,
        path: str,
        data: bytes,
        *,
        transform: Transform = identity_transform,
        key: str | None = None,
    ) -> None:
        self.path = path
        self.transform = transform
        self._issues: list[tuple[str, Finding]] = []
        if data.startswith(BOM):
            data = data[len(BOM) :]
            self._issues.append((Reason.BYTE_ORDER_MARK.code, bom_finding()))
        check_text(path, data)
        self.text = data.decode("utf-8")
        self.key = key
        self.size = len(data)
        self._rows: list[tuple[int, Any, str | None]] | None = None
        self._jsonl: JsonlSource | None = None
        layout, sheet = self._detect(data)
        self.info = SourceInfo(file=path, sheet=sheet, layout=layout)

    def file_issues(self) -> list[tuple[str, Finding]]:
        if self._jsonl is not None:
            return self._issues + self._jsonl.file_issues()
        return self._issues

    def sample(self) -> tuple[Any, list[str] | None]:
        if self._jsonl is not None:
            return self._jsonl.sample()
        return (self._rows[0][1] if self._rows else None), None

    def set_transform(self, transform: Transform) -> None:
        self.transform = transform
        if self._jsonl is not None:
            self._jsonl.transform = transform

    def _detect(self, data: bytes) -> tuple[str, str | None]:
        stripped = self.text.lstrip()
        if not stripped:
            raise ReadError("file is empty")
        try:
            doc = jsontext.loads(data)
        except orjson.JSONDecodeError as exc:
            if stripped[0] == "{" and exc.pos > len(self.text) - len(stripped):
                # One complete object, then more: JSONL or pretty-printed objects.
                return self._detect_stream(data)
            raise ReadError(
                f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", line=exc.lineno
            ) from None
        first = len(self.text) - len(stripped)
        if isinstance(doc, list):
            self._rows_from_array(doc, first)
            return "json-array", None
        if isinstance(doc, dict):
            arrays = {k: v for k, v in doc.items() if isinstance(v, list)}
            record_like = not arrays or any(
                k in doc for k in ("messages", "prompt", "input", "conversations", "instruction")
            )
            if self.key is not None:
                if self.key not in arrays:
                    raise ReadError(
                        f"the JSON object has no array under {self.key!r}; arrays: "
                        f"{', '.join(arrays) or 'none'}"
                    )
                self._rows_from_key(doc, self.key)
                return "json-object-array", self.key
            if record_like:
                self._rows = [(_line_of(self.text, [first])[0], doc, None)]
                self._check_duplicates([(first, len(self.text))])
                return "json-single-record", None
            if len(arrays) == 1:
                (key,) = arrays
                self._rows_from_key(doc, key)
                return "json-object-array", key
            raise ReadError(
                f"the JSON object holds several arrays ({', '.join(arrays)}); "
                "choose one with --sheet KEY"
            )
        raise ReadError(
            f"the JSON document is a {jsontext.json_type(doc)}, not records; a dataset is "
            "an array of objects (or an object holding one), or JSON Lines"
        )

    def _detect_stream(self, data: bytes) -> tuple[str, None]:
        """Objects one after another: JSONL in a .json file, or pretty-printed objects."""
        first_line = self.text.lstrip().split("\n", 1)[0].strip()
        try:
            single_line = isinstance(orjson.loads(first_line), dict)
        except orjson.JSONDecodeError:
            single_line = False
        if single_line:
            self._jsonl = JsonlSource(self.path, data=data, transform=self.transform)
            return "jsonl-in-json", None
        decoder = json.JSONDecoder()
        rows, pos, text = [], 0, self.text
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            try:
                obj, end = decoder.raw_decode(text, pos)
            except json.JSONDecodeError as exc:
                raise ReadError(
                    f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                    line=exc.lineno,
                ) from None
            rows.append((pos, end, obj))
            pos = end
        lines = _line_of(text, [r[0] for r in rows])
        self._rows = [(line, obj, None) for line, (_, _, obj) in zip(lines, rows, strict=True)]
        self._check_duplicates([(s, e) for s, e, _ in rows])
        return "json-objects", None

    def _rows_from_array(self, doc: list[Any], first: int) -> None:
        spans = element_spans(self.text, first)
        if len(spans) != len(doc):  # scalars in the array: fall back to the array's line
            spans = [(first, first)] * len(doc)
        lines = _line_of(self.text, [s for s, _ in spans])
        self._rows = [(line, obj, None) for line, obj in zip(lines, doc, strict=True)]
        self._check_duplicates(spans)

    def _rows_from_key(self, doc: dict[str, Any], key: str) -> None:
        match = re.search(r'"' + re.escape(key) + r'"\s*:\s*\[', self.text)
        start = match.end() - 1 if match else 0
        self._rows_from_array(doc[key], start)

    def _check_duplicates(self, spans: list[tuple[int, int]]) -> None:
        assert self._rows is not None
        for i, ((s, e), (line, obj, _)) in enumerate(zip(spans, self._rows, strict=True)):
            if e > s:
                for f in duplicate_key_findings(self.text[s:e], obj, i, line):
                    self._issues.append((Reason.DUPLICATE_KEY.code, f))

    def jobs(self) -> Iterator[Any]:
        if self._jsonl is not None:
            yield from self._jsonl.jobs()
            return
        rows = self._rows or []
        for start in range(0, len(rows), _BATCH):
            yield RowJob(start, rows[start : start + _BATCH], self.transform)
