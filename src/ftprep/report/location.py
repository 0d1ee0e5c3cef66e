"""How a location reads in human formats: ``file[sheet]:line`` plus pointer and column."""

from __future__ import annotations

import re

from ftprep.core.diagnostic import Diagnostic

# What a terminal would act on instead of showing: control characters (an ESC starts a
# terminal command), and the bidirectional overrides of Trojan Source.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with what a terminal would act on written as escapes (``\\x1b``)."""
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def where(d: Diagnostic) -> str:
    file = printable(d.file) + (f"[{printable(d.sheet)}]" if d.sheet else "")
    return f"{file}:{d.line}" if d.line is not None else file


def detail(d: Diagnostic) -> str:
    parts = [f"row {d.row}"] if d.row is not None else []
    if d.pointer:
        parts.append(printable(d.pointer))
    if d.column:
        parts.append(f"column {printable(repr(d.column))}")
    return " ".join(parts)
