"""JSONL writers: UTF-8 without BOM, LF line ends, non-ASCII kept, key order as given.

Files are written next to their destination and moved into place when complete, so an
interrupted run never leaves half a file behind (and ``--in-place`` is atomic).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from types import TracebackType
from typing import IO, Any

from ftprep.core import jsontext


def dumps(value: Any) -> bytes:
    return jsontext.dumps(value)


# Temporary files are named after the process that writes them, so a later run can tell
# the leftovers of a killed run (its process gone) from another run's work in progress.
TMP_PREFIX = ".ftprep-"


def tmp_prefix() -> str:
    return f"{TMP_PREFIX}{os.getpid()}-"


def remove_leftovers(directory: str) -> list[str]:
    """Delete the temporary files of ftprep runs that died in ``directory``; their names."""
    removed: list[str] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        if not (name.startswith(TMP_PREFIX) and name.endswith(".tmp")):
            continue
        pid = name[len(TMP_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(directory, name))
                removed.append(name)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


class AtomicWriter:
    """Binary file written to a temporary sibling and renamed on success; ``-`` is stdout.

    A symbolic link is followed: the file it points at is replaced, keeping its mode and
    (where allowed) its owner, and the link stays a link.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        self._tmp: str | None = None
        self._fh: IO[bytes]
        if path == "-":
            self._fh = sys.stdout.buffer
        else:
            self._target = os.path.realpath(path)
            directory = os.path.dirname(self._target)
            remove_leftovers(directory)
            try:
                fd, self._tmp = tempfile.mkstemp(prefix=tmp_prefix(), suffix=".tmp", dir=directory)
            except OSError as exc:
                raise OSError(exc.errno, exc.strerror, path) from None
            self._fh = os.fdopen(fd, "wb", buffering=1024 * 1024)

    def write_line(self, data: bytes) -> None:
        try:
            self._fh.write(data)
            self._fh.write(b"\n")
        except OSError as exc:  # a full disk names the file it could not write
            raise OSError(exc.errno, exc.strerror, self.path) from None
        self.count += 1

    def write_record(self, record: Any) -> None:
        self.write_line(jsontext.dumps(record))

    def copy_from(self, source: IO[bytes]) -> None:
        import shutil

        try:
            shutil.copyfileobj(source, self._fh, 1024 * 1024)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, self.path) from None

    def close(self, commit: bool = True) -> None:
        if self.path == "-":
            self._fh.flush()
            return
        assert self._tmp is not None
        try:
            self._fh.close()
        except OSError as exc:
            os.unlink(self._tmp)
            raise OSError(exc.errno, exc.strerror, self.path) from None
        if not commit:
            os.unlink(self._tmp)
            return
        target = self._target
        if os.path.exists(target):
            st = os.stat(target)
            with contextlib.suppress(OSError):
                os.chmod(self._tmp, st.st_mode & 0o7777)
            if hasattr(os, "chown"):
                with contextlib.suppress(OSError):
                    os.chown(self._tmp, st.st_uid, st.st_gid)  # root keeps the owner
        else:
            os.chmod(self._tmp, 0o666 & ~_umask())
        os.replace(self._tmp, target)

    def __enter__(self) -> AtomicWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(commit=exc_type is None)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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


_WORKDIR_RE = re.compile(r"ftprep-[a-z]+-(\d+)-")


class workdir:
    """A private temporary directory for a run's intermediate files, removed afterwards
    whatever happens; directories left by runs that were killed are removed first."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.path = ""

    def __enter__(self) -> str:
        import shutil

        base = tempfile.gettempdir()
        prefix = f"ftprep-{self.kind}-"
        with contextlib.suppress(OSError):
            for name in os.listdir(base):  # any kind of run's, once its process is gone
                match = _WORKDIR_RE.match(name)
                if match and not _alive(int(match.group(1))):
                    shutil.rmtree(os.path.join(base, name), ignore_errors=True)
        try:
            self.path = tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")
        except OSError as exc:
            raise OSError(exc.errno, f"{exc.strerror} (the temporary directory)", base) from None
        return self.path

    def __exit__(self, *exc: object) -> None:
        import shutil

        shutil.rmtree(self.path, ignore_errors=True)


class InPlaceGuard:
    """Holds a file that is being replaced in place: one run at a time (an advisory lock),
    and no replacement if anything else changed the file meanwhile."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._stat: os.stat_result | None = None

    def __enter__(self) -> InPlaceGuard:
        from ftprep.core.errors import UsageError

        self._fd = os.open(self.path, os.O_RDONLY)
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no advisory locks here; the stat check stays
            fcntl = None  # type: ignore[assignment]  # Windows: no module to type
        if fcntl is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(self._fd)
                self._fd = None
                raise UsageError(
                    f"{self.path} is being fixed in place by another ftprep run; wait for it"
                ) from None
        self._stat = os.fstat(self._fd)
        return self

    def check_unchanged(self) -> None:
        """Raise UsageError when the file changed since the guard took it."""
        from ftprep.core.errors import UsageError

        assert self._stat is not None
        now = os.stat(self.path)
        before = self._stat
        if (now.st_ino, now.st_size, now.st_mtime_ns) != (
            before.st_ino,
            before.st_size,
            before.st_mtime_ns,
        ):
            raise UsageError(
                f"{self.path} changed while it was being fixed; nothing was written. Run again"
            )

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None
