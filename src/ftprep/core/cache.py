"""The on-disk cache: where it lives and one SQLite table of blobs by content key.

Results that cost real time per text (language detections, MinHash signatures) are kept by
the hash of what they were computed from, so a second run on unchanged data costs a
lookup. Worker processes only read; the main process writes what a run computed anew. A
cache that cannot be opened or written is simply not used: caching never fails a run.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

# SQLite's default limit on the parameters of one statement is 999 (older builds).
_LOOKUP_CHUNK = 900


def cache_dir() -> Path | None:
    """``$FTPREP_CACHE_DIR`` or ``.ftprep_cache`` in the working directory (like ruff's);
    ``FTPREP_NO_CACHE=1`` turns caching off."""
    if os.environ.get("FTPREP_NO_CACHE"):
        return None
    return Path(os.environ.get("FTPREP_CACHE_DIR") or ".ftprep_cache")


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ftprep")
    except PackageNotFoundError:
        return "missing"


_CONNECTIONS: dict[tuple[int, str], sqlite3.Connection] = {}


def connect(path: Path, create: bool, schema: str) -> sqlite3.Connection | None:
    """This process's connection to the cache file at ``path`` (None when it does not
    exist and ``create`` is false, or cannot be opened). ``schema`` creates its table."""
    # One connection per process: a connection must never cross a fork.
    key = (os.getpid(), str(path))
    if key in _CONNECTIONS:
        return _CONNECTIONS[key]
    if not create and not path.exists():
        return None
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
            mark_cache_root(path.parent.parent)
        db = sqlite3.connect(path, timeout=30)
        db.execute(schema)
    except (OSError, sqlite3.Error):
        return None
    _CONNECTIONS[key] = db
    return db


def mark_cache_root(root: Path) -> None:
    """Keep the cache out of git and backups, as ruff and pytest do."""
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# Automatically created by ftprep.\n*\n", encoding="utf-8")
    tag = root / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n# This is an ftprep cache directory.\n",
            encoding="utf-8",
        )


class CacheFile:
    """One SQLite file of the cache directory, under this ftprep version; ``_SCHEMA``
    creates its table. Once it cannot be opened it is not used for the rest of the run."""

    _SCHEMA = ""

    def __init__(self, name: str) -> None:
        root = cache_dir()
        self.path: Path | None = None if root is None else root / tool_version() / name

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        db = connect(self.path, create, self._SCHEMA)
        if db is None and (create or self.path.exists()):
            self.path = None
        return db


class BlobCache(CacheFile):
    """Blobs by 16-byte key in one SQLite file of the cache directory, looked up many keys
    per statement (a query per key costs more than a MinHash signature)."""

    _SCHEMA = "CREATE TABLE IF NOT EXISTS blobs (key BLOB PRIMARY KEY, value BLOB NOT NULL)"

    def get_many(self, keys: Sequence[bytes]) -> dict[bytes, bytes]:
        db = self._connect(create=False)
        found: dict[bytes, bytes] = {}
        if db is None or not keys:
            return found
        try:
            for start in range(0, len(keys), _LOOKUP_CHUNK):
                part = keys[start : start + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(part))
                query = f"SELECT key, value FROM blobs WHERE key IN ({marks})"
                found.update(db.execute(query, part).fetchall())
        except sqlite3.Error:
            return {}
        return found

    def put_many(self, entries: Iterable[tuple[bytes, bytes]]) -> None:
        db = self._connect(create=True)
        if db is None:
            return
        try:
            with db:
                db.executemany("INSERT OR IGNORE INTO blobs VALUES (?, ?)", entries)
        except sqlite3.Error:
            pass
