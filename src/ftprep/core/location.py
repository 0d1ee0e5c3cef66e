"""Where a record came from, so every diagnostic can point at the cell a user must edit."""

from __future__ import annotations

from dataclasses import dataclass


def display_name(path: str) -> str:
    """A file name as reports show it: bytes that are not UTF-8 (a Latin-1 name on a
    UTF-8 system) written as ``\\xe9`` escapes, so every output format can hold it."""
    if path == "-":
        return "<stdin>"
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return path


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What is constant for every record of one input: the file and, for workbooks, the sheet."""

    file: str
    sheet: str | None = None
    # Format the reader found (jsonl, json-array, csv, ...), reported to the user.
    layout: str = ""


@dataclass(frozen=True, slots=True)
class Related:
    """Another record a diagnostic points at (the first copy of a duplicate, say)."""

    file: str
    line: int | None
    record: int | None
    similarity: float | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"file": self.file, "line": self.line, "record": self.record}
        if self.similarity is not None:
            out["similarity"] = round(self.similarity, 4)
        return out
