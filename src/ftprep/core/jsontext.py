"""JSON text with every number exactly as written, and in the style a file already uses.

orjson is what ftprep parses and writes with (several times faster than the standard
library), but it reads an integer beyond 64 bits as a float (``18446744073709551616``
becomes ``1.8446744073709552e+19``) and cannot write one at all. Text holding such a run
of digits is parsed by the standard library, which keeps the integer exact, and values
orjson cannot write are written by it too: a record's numbers round-trip whatever their
size.

A fixed JSONL file keeps the look of the original: lines without an edit are written
back byte for byte by the fixer, and edited lines in the file's own style (``{"a": 1}``
or ``{"a":1}``, non-ASCII as is or as ``\\u`` escapes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import orjson

# A run of digits that may be an integer orjson reads inexactly (2**64 has 20 digits),
# found by mapping every digit to 0 and every other byte to a space: one C pass and a
# substring search, 5x faster than a regular expression trying at every byte.
_LONG_RUN = b"0" * 19
_DIGITS_ONLY = bytes(0x30 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))


def has_long_numbers(data: bytes) -> bool:
    """Whether JSON text may hold an integer orjson would read as a float."""
    return _LONG_RUN in data.translate(_DIGITS_ONLY)


def loads(data: bytes | str) -> Any:
    """Parse JSON text, integers of any size exact (orjson unless long digit runs occur).

    Raises ``orjson.JSONDecodeError`` (a ``ValueError``) for text that is not JSON.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if not has_long_numbers(raw):
        return orjson.loads(raw)
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return orjson.loads(raw)  # the same failure, as orjson reports it


def dumps(value: Any, option: int = 0) -> bytes:
    """``orjson.dumps``, or the standard library for what orjson cannot write (integers
    beyond 64 bits), compact and with non-ASCII kept either way."""
    try:
        return orjson.dumps(value, option=option)
    except TypeError:
        sort = bool(option & orjson.OPT_SORT_KEYS)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort).encode(
            "utf-8"
        )


@dataclass(frozen=True)
class Style:
    """How a JSONL file writes its lines: spaces after `:` and `,`, and `\\u` escapes."""

    spaced: bool = False
    ascii: bool = False

    def dumps(self, value: Any) -> bytes:
        if not self.spaced and not self.ascii:
            return dumps(value)
        separators = (", ", ": ") if self.spaced else (",", ":")
        return json.dumps(value, ensure_ascii=self.ascii, separators=separators).encode("utf-8")


def style_of(line: bytes) -> Style:
    """The style of one written line: `json.dumps` defaults or orjson's compact form."""
    text = line.strip()
    spaced = b'": ' in text or b', "' in text
    ascii = b"\\u" in text and text.isascii()
    return Style(spaced=spaced, ascii=ascii)


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages read by people who wrote JSON."""
    if value is None:
        return "null"
    return {
        bool: "boolean",
        int: "number",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
    }.get(type(value), type(value).__name__)
