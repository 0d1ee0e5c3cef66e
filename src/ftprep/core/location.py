"""Where a record came from, so every diagnostic can point at the cell a user must edit."""

from __future__ import annotations

from dataclasses import dataclass


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
