"""The comparison form of a text, shared by near-duplicate detection and its sampling of
boilerplate: Unicode NFKC, casefolded, words only, single spaces.

Re-punctuated or lower-cased copies of a text have the same comparison form; so do the
fixed words of a template whatever the case they were typed in.
"""

from __future__ import annotations

import re
import unicodedata

_WORD_RE = re.compile(r"\w+")


def normalize(text: str) -> str:
    """NFKC, casefold, words only, single spaces."""
    return " ".join(_WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold()))


# A text of fewer words is compared by character shingles: one changed word destroys five
# word 5-grams, which in a short text is most of them.
MIN_WORDS = 100
# Word shingles for a dataset when at least this share of its texts has MIN_WORDS words.
WORD_SHARE = 0.9


def word_shingled(texts: list[str]) -> bool:
    """Whether a dataset's texts are compared by word shingles (else by characters).

    Decided once for the dataset, from a sample, never text by text: two near-copies on
    either side of the length threshold would otherwise be cut into shingles of different
    kinds and share none.
    """
    long = sum(1 for t in texts if normalize(t).count(" ") + 1 >= MIN_WORDS)
    return bool(texts) and long >= WORD_SHARE * len(texts)
