"""How a location reads in human formats: ``file[sheet]:line`` plus pointer and column."""

from __future__ import annotations

from ftprep.core.diagnostic import Diagnostic


def where(d: Diagnostic) -> str:
    file = d.file + (f"[{d.sheet}]" if d.sheet else "")
    return f"{file}:{d.line}" if d.line is not None else file


def detail(d: Diagnostic) -> str:
    parts = [f"row {d.row}"] if d.row is not None else []
    if d.pointer:
        parts.append(d.pointer)
    if d.column:
        parts.append(f"column {d.column!r}")
    return " ".join(parts)
