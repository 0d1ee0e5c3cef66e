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

import orjson


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


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
        self.write_line(orjson.dumps(record))

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
    return {
        "reasons": [{"code": code, "message": message} for code, message in reasons],
        "source": source,
        "input": record,
    }


def default_rejected_path(output: str) -> str:
    base = output[: -len(".jsonl")] if output.endswith(".jsonl") else output
    return base + ".rejected.jsonl"


def default_fixlog_path(output: str) -> str:
    base = output[: -len(".jsonl")] if output.endswith(".jsonl") else output
    return base + ".fixlog.jsonl"
