"""JSONL writers: UTF-8 without BOM, LF line ends, non-ASCII kept, key order as given.

Files are written next to their destination and moved into place when complete, so an
interrupted run never leaves half a file behind (and ``--in-place`` is atomic).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from types import TracebackType
from typing import IO, Any

from ftprep.core import jsontext


def dumps(value: Any) -> bytes:
    return jsontext.dumps(value)


class AtomicWriter:
    """Binary file written to a temporary sibling and renamed on success; ``-`` is stdout."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        self._tmp: str | None = None
        self._fh: IO[bytes]
        if path == "-":
            self._fh = sys.stdout.buffer
        else:
            directory = os.path.dirname(os.path.abspath(path))
            os.makedirs(directory, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(prefix=".ftprep-", suffix=".tmp", dir=directory)
            self._fh = os.fdopen(fd, "wb", buffering=1024 * 1024)

    def write_line(self, data: bytes) -> None:
        self._fh.write(data)
        self._fh.write(b"\n")
        self.count += 1

    def write_record(self, record: Any) -> None:
        self.write_line(jsontext.dumps(record))

    def copy_from(self, source: IO[bytes]) -> None:
        import shutil

        shutil.copyfileobj(source, self._fh, 1024 * 1024)

    def close(self, commit: bool = True) -> None:
        if self.path == "-":
            self._fh.flush()
            return
        self._fh.close()
        assert self._tmp is not None
        if commit:
            if os.path.exists(self.path):
                with contextlib.suppress(OSError):
                    os.chmod(self._tmp, os.stat(self.path).st_mode & 0o777)
            else:
                os.chmod(self._tmp, 0o644)
            os.replace(self._tmp, self.path)
        else:
            os.unlink(self._tmp)

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(commit=exc_type is None)


def rejected_entry(
    file: str, line: int, index: int, reasons: list[tuple[str, str]], record: Any, sheet: str | None
) -> dict[str, Any]:
    """One line of a rejected file: why, where from, and the input exactly as read."""
    source: dict[str, Any] = {"file": file, "line": line, "record": index}
    if sheet:
        source["sheet"] = sheet
    entry = {
        "reasons": [{"code": code, "message": message} for code, message in reasons],
        "source": source,
        "input": record,
    }
    if isinstance(record, bytes):  # not UTF-8: the text as far as it reads, and every byte
        import base64

        entry["input"] = record.decode("utf-8", "replace")
        entry["input_base64"] = base64.b64encode(record).decode("ascii")
    return entry


def default_rejected_path(output: str) -> str:
    base = output[: -len(".jsonl")] if output.endswith(".jsonl") else output
    return base + ".rejected.jsonl"


def default_fixlog_path(output: str) -> str:
    base = output[: -len(".jsonl")] if output.endswith(".jsonl") else output
    return base + ".fixlog.jsonl"


class RejectedFile:
    """The rejected-records file of one input, created on the first rejection only.

    Without a path (the Python API keeping results in memory) the entries are kept in
    ``entries`` instead, so a rejected record is never silently dropped.
    """

    def __init__(self, path: str | None, file: str, sheet: str | None = None) -> None:
        self.path = path
        self.file = file
        self.sheet = sheet
        self.count = 0
        self.entries: list[dict[str, Any]] = []
        self._writer: AtomicWriter | None = None

    def add(self, line: int, index: int, reasons: list[tuple[str, str]], raw: Any) -> None:
        entry = rejected_entry(self.file, line, index, reasons, raw, self.sheet)
        self.count += 1
        if self.path is None:
            self.entries.append(entry)
            return
        if self._writer is None:
            self._writer = AtomicWriter(self.path)
        self._writer.write_record(entry)

    def close(self) -> str | None:
        """Commit the file; its path, or None when nothing was rejected into it."""
        if self._writer is None:
            return None
        self._writer.close()
        self._writer = None
        return self.path

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.close(commit=False)
            self._writer = None
