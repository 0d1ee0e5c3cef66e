"""Invisible characters: which are debris and which are part of the text.

Zero-width and bidirectional characters are debris in most text (pasted from web pages,
left by editors) but the writing of several scripts needs them:

- ZERO WIDTH JOINER glues emoji into one picture (🏃‍♀️, 👨‍👩‍👧); removing it splits them.
- ZWNJ and ZWJ between letters of Arabic-script (Persian, Urdu, Kurdish...), Syriac and
  Indic words choose letter forms: ``می‌خوام`` without its ZWNJ is a misspelling.
- ZERO WIDTH SPACE separates words in Thai, Lao, Khmer and Burmese, written without spaces.
- Left-to-right and right-to-left marks, embeddings and isolates order mixed text that
  holds a right-to-left script.
- NARROW NO-BREAK SPACE joins a Mongolian word to its suffix.

Variation selectors, skin-tone modifiers, keycaps and tag characters are never candidates:
they are always text. Only what no reader would miss is debris, so removing debris never
changes what a text says (``tests/test_invisible.py`` holds that as a property).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# Every character that may be debris; most texts hold none, and those need no closer look.
CANDIDATES = re.compile(
    "[\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00a0\u202f\u2007]"
)
# Spaces that do not break: debris becomes an ordinary space, not nothing.
NO_BREAK_SPACES = frozenset("\u00a0\u202f\u2007")
JOINERS = frozenset("\u200c\u200d")
BIDI_CONTROLS = frozenset(
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)

# Scripts whose letters take ZWNJ/ZWJ to choose their forms.
_JOINING_SCRIPTS = [
    "Arabic",
    "Syriac",
    "Thaana",
    "Nko",
    "Mongolian",
    "Devanagari",
    "Bengali",
    "Gurmukhi",
    "Gujarati",
    "Oriya",
    "Tamil",
    "Telugu",
    "Kannada",
    "Malayalam",
    "Sinhala",
    "Tibetan",
    "Myanmar",
    "Khmer",
    "Balinese",
    "Javanese",
]
# Scripts written without spaces, whose word boundaries ZERO WIDTH SPACE marks.
_UNSPACED_SCRIPTS = ["Thai", "Lao", "Khmer", "Myanmar", "Tibetan"]


@lru_cache(maxsize=1)
def _patterns() -> tuple[Any, Any, Any, Any, Any]:  # ``regex`` ships no types
    """The context patterns, compiled on first use (the ``regex`` module knows scripts and
    Extended_Pictographic, which the standard library does not)."""
    import regex

    def letter_of(scripts: list[str]) -> str:
        return "[" + "".join(f"\\p{{Script={s}}}" for s in scripts) + "]"

    joining, unspaced = letter_of(_JOINING_SCRIPTS), letter_of(_UNSPACED_SCRIPTS)
    # What may sit between a pictograph and the joiner of its sequence: variation
    # selectors, skin tones, tags, the keycap mark.
    emoji_tail = "[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\u20e3]*"
    # Between two letters, or after a virama (a Malayalam chillu ends its word: ന്‍).
    joiner_in_word = regex.compile(
        f"(?<={joining}\\p{{M}}*)[\u200c\u200d](?={joining})"
        f"|(?<={joining}\\p{{M}}*\\p{{ccc=9}})[\u200c\u200d]"
    )
    joiner_in_emoji = regex.compile(
        f"(?<=\\p{{Extended_Pictographic}}{emoji_tail})\u200d(?=\\p{{Extended_Pictographic}})"
    )
    space_in_word = regex.compile(f"(?<={unspaced}\\p{{M}}*)\u200b(?={unspaced})")
    mongolian_suffix = regex.compile(
        "(?<=\\p{Script=Mongolian}\\p{M}*)\u202f(?=\\p{Script=Mongolian})"
    )
    # A letter of a right-to-left script (the marks themselves are of that class too).
    right_to_left = regex.compile("(?=\\p{L})[\\p{Bidi_Class=R}\\p{Bidi_Class=AL}]")
    return joiner_in_word, joiner_in_emoji, space_in_word, mongolian_suffix, right_to_left


def debris(text: str) -> list[tuple[int, str]]:
    """(offset, character) of every invisible character in ``text`` that is debris."""
    found = [(m.start(), m.group()) for m in CANDIDATES.finditer(text)]
    if not found:
        return found
    chars = {ch for _, ch in found}
    kept: set[int] = set()
    if chars & {"\u200b", "\u200c", "\u200d", "\u202f"} or chars & BIDI_CONTROLS:
        in_word, in_emoji, space_in_word, mongolian, rtl = _patterns()
        if chars & JOINERS:
            kept.update(m.start() for m in in_word.finditer(text))
        if "\u200d" in chars:
            kept.update(m.start() for m in in_emoji.finditer(text))
        if "\u200b" in chars:
            kept.update(m.start() for m in space_in_word.finditer(text))
        if "\u202f" in chars:
            kept.update(m.start() for m in mongolian.finditer(text))
        if chars & BIDI_CONTROLS and rtl.search(text):
            kept.update(i for i, ch in found if ch in BIDI_CONTROLS)
    return [(i, ch) for i, ch in found if i not in kept]


def has_debris(text: str) -> bool:
    """Whether ``text`` holds debris (cheap when it holds no candidate at all)."""
    return CANDIDATES.search(text) is not None and bool(debris(text))


def remove_debris(text: str) -> str:
    """``text`` without its debris; a no-break space becomes an ordinary space."""
    spots = debris(text)
    if not spots:
        return text
    out: list[str] = []
    last = 0
    for i, ch in spots:
        out.append(text[last:i])
        if ch in NO_BREAK_SPACES:
            out.append(" ")
        last = i + 1
    out.append(text[last:])
    return "".join(out)
