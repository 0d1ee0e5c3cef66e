"""Pick the reader for a file from its extension (or ``--format``) and open it."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass

from ftprep.core.location import display_name
from ftprep.core.source import Source
from ftprep.readers.base import ReadError, ReadOptions, Transform, check_text, identity_transform


@dataclass(frozen=True)
class OpenRequest:
    """What a format's opener gets: the file, the bytes already read (stdin), options."""

    path: str  # "-" for standard input
    display: str  # the name readers report ("<stdin>" for standard input)
    data: bytes | None
    options: ReadOptions
    transform: Transform


@dataclass(frozen=True)
class Format:
    """One input format: its name (``--format``), file extensions and opener.

    The opener is named as ``module:function`` and imported only when a file of the format
    is read, so that pandas, openpyxl and pyarrow load only when needed.
    """

    name: str
    title: str  # as messages name it
    extensions: tuple[str, ...]
    opener: str
    from_stdin: bool = True

    def open(self, request: OpenRequest) -> Source:
        module, function = self.opener.split(":")
        opened: Source = getattr(importlib.import_module(module), function)(request)
        return opened


# The readers table: adding an input format is a reader module and a row here.
FORMATS: tuple[Format, ...] = (
    Format("jsonl", "JSONL", (".jsonl", ".ndjson"), "ftprep.readers.jsonl:open_jsonl"),
    Format("json", "JSON", (".json",), "ftprep.readers.json_doc:open_json"),
    Format("csv", "CSV", (".csv",), "ftprep.readers.tabular:open_csv"),
    Format("tsv", "TSV", (".tsv", ".tab"), "ftprep.readers.tabular:open_tsv"),
    Format("xlsx", "XLSX", (".xlsx", ".xlsm"), "ftprep.readers.xlsx:open_xlsx", False),
    Format("parquet", "Parquet", (".parquet",), "ftprep.readers.parquet:open_parquet", False),
)
FORMAT_NAMES = tuple(f.name for f in FORMATS)
_BY_NAME = {f.name: f for f in FORMATS}
EXTENSIONS = {ext: f.name for f in FORMATS for ext in f.extensions}


def detect_format(path: str, options: ReadOptions) -> str:
    if options.format:
        return options.format
    ext = os.path.splitext(path)[1].lower()
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    if ext == ".xls":
        raise ReadError("legacy Excel .xls is not supported; save the workbook as .xlsx or CSV")
    first = [f.extensions[0] for f in FORMATS]
    known = ", ".join(first[:-1]) + " and " + first[-1]
    raise ReadError(
        f"unknown file type {ext or '(no extension)'!r}; ftprep reads {known} (or pass --format)"
    )


def utf8_data(request: OpenRequest) -> bytes | None:
    """The input as UTF-8 (transcoded when ``--encoding`` names another encoding), or None
    to let the reader stream the file itself."""
    encoding = request.options.encoding
    if _is_utf8(encoding):
        return request.data
    assert encoding is not None
    raw = request.data
    if raw is None:
        with open(request.path, "rb") as fh:
            raw = fh.read()
    return _transcode(request.display, raw, encoding)


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
) -> Source:
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
) -> Source:
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
    found = _BY_NAME.get(fmt)
    if found is None:
        raise ReadError(f"unknown format {fmt!r}; formats: {', '.join(FORMAT_NAMES)}")
    if path == "-" and not found.from_stdin:
        raise ReadError(f"{found.title} cannot be read from standard input; pass a file name")
    return found.open(OpenRequest(path, display, data, options, transform))
