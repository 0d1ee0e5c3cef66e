"""Pick the reader for a file from its extension (or ``--format``) and open it."""

from __future__ import annotations

import os
from typing import Any

from ftprep.core.location import display_name
from ftprep.readers.base import ReadError, ReadOptions, Transform, check_text, identity_transform

EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
}


def detect_format(path: str, options: ReadOptions) -> str:
    if options.format:
        return options.format
    ext = os.path.splitext(path)[1].lower()
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    if ext == ".xls":
        raise ReadError("legacy Excel .xls is not supported; save the workbook as .xlsx or CSV")
    raise ReadError(
        f"unknown file type {ext or '(no extension)'!r}; ftprep reads "
        ".jsonl, .json, .csv, .tsv, .xlsx and .parquet (or pass --format)"
    )


def _transcode(path: str, data: bytes, encoding: str) -> bytes:
    """The input as UTF-8, or a ReadError naming the line, column and other candidates."""
    check_text(path, data, encoding)
    return data.decode(encoding).encode("utf-8")


def _is_utf8(encoding: str | None) -> bool:
    from ftprep.readers.encoding import EncodingProblem, is_utf8

    try:
        return is_utf8(encoding)
    except EncodingProblem as exc:
        raise ReadError(str(exc)) from None


def open_source(
    path: str,
    options: ReadOptions | None = None,
    transform: Transform = identity_transform,
    *,
    stdin_data: bytes | None = None,
) -> Any:
    """Open ``path`` (``-`` for standard input) and return a record source for the engine."""
    source = _open_source(path, options, transform, stdin_data=stdin_data)
    shown = display_name(path)
    if source.info.file != shown:
        import dataclasses

        source.info = dataclasses.replace(source.info, file=shown)
    return source


def _open_source(
    path: str,
    options: ReadOptions | None = None,
    transform: Transform = identity_transform,
    *,
    stdin_data: bytes | None = None,
) -> Any:
    options = options or ReadOptions()
    # Readers open the file by its name; reports show it as display_name says.
    display = "<stdin>" if path == "-" else path
    fmt = detect_format(path, options) if path != "-" else (options.format or "jsonl")
    data = stdin_data
    if path != "-":
        if not os.path.exists(path):
            raise ReadError("no such file")
        if os.path.isdir(path):
            raise ReadError("is a directory, not a file")
        if not os.access(path, os.R_OK):
            raise ReadError("permission denied: the file cannot be read; check its permissions")
    if fmt in ("jsonl", "json"):
        from ftprep.readers.json_doc import JsonDocumentSource
        from ftprep.readers.jsonl import JsonlSource

        if not _is_utf8(options.encoding):
            assert options.encoding is not None
            raw = data if data is not None else open(path, "rb").read()  # noqa: SIM115
            data = _transcode(display, raw, options.encoding)
        if fmt == "jsonl":
            return JsonlSource(
                display, data=data, transform=transform, chunk_bytes=options.chunk_bytes
            )
        if data is None:
            with open(path, "rb") as fh:
                data = fh.read()
        return JsonDocumentSource(display, data, transform=transform, key=options.sheet)
    if fmt in ("csv", "tsv"):
        from ftprep.readers.tabular import CsvSource

        return CsvSource(
            display,
            transform=transform,
            delimiter=options.delimiter,
            encoding=options.encoding,
            header=options.header,
            quoting=options.quoting,
            is_tsv=fmt == "tsv",
            data=data,
        )
    if fmt == "xlsx":
        from ftprep.readers.xlsx import XlsxSource

        if path == "-":
            raise ReadError("XLSX cannot be read from standard input; pass a file name")
        return XlsxSource(
            display,
            transform=transform,
            sheet=options.sheet,
            wanted_columns=options.wanted_columns,
            header=options.header,
        )
    if fmt == "parquet":
        from ftprep.readers.parquet import ParquetSource

        if path == "-":
            raise ReadError("Parquet cannot be read from standard input; pass a file name")
        return ParquetSource(display, transform=transform)
    raise ReadError(f"unknown format {fmt!r}")
