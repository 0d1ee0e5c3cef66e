"""Diagnostics: what a rule found, where, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ftprep.core.fix import Fix
from ftprep.core.location import Related


class Severity(str, Enum):
    """How much a finding matters; the failing threshold is configurable."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(slots=True)
class Finding:
    """What a rule yields: facts and an optional fix. The engine adds code, severity, location.

    ``record`` is the record's stable index (``None`` for dataset-level findings); ``line``
    may be left out and is then looked up from the record index.
    """

    message: str
    record: int | None = None
    pointer: str | None = None
    fix: Fix | None = None
    related: tuple[Related, ...] = ()
    line: int | None = None
    column: str | None = None
    # Extra machine-readable facts (counts, the separator found...), shown in JSON output.
    data: dict[str, Any] | None = None
    # A rule may lower or raise its default for one finding (SC006: empty user turn is a
    # warning, empty assistant turn an error); a severity set in config still wins.
    severity_override: Severity | None = None


@dataclass(slots=True)
class Diagnostic:
    """A finding stamped by the engine with its rule, severity and full location."""

    code: str
    name: str
    severity: Severity
    message: str
    file: str
    line: int | None = None
    record: int | None = None
    pointer: str | None = None
    sheet: str | None = None
    column: str | None = None
    split: str = "train"
    related: tuple[Related, ...] = ()
    fix: Fix | None = None
    data: dict[str, Any] | None = field(default=None)
    # The spreadsheet row of a table record, when it differs from ``line`` (the physical
    # line a row starts on: a cell spanning lines above it pushes lines past rows).
    row: int | None = None
    # An informational summary (the token summary): shown apart, never counted or failing.
    summary: bool = False

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicable

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.split != "train",
            self.file,
            self.line if self.line is not None else -1,
            self.code,
            self.pointer or "",
            self.message,
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON report's shape (version 1, documented in docs/json-report.md)."""
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "sheet": self.sheet,
            "line": self.line,
        }
        if self.row is not None:
            out["row"] = self.row
        out |= {
            "record": self.record,
            "pointer": self.pointer,
            "column": self.column,
            "split": self.split,
            "related": [r.as_dict() for r in self.related],
            "fix": self.fix.as_dict() if self.fix is not None else None,
            "data": self.data,
        }
        return out
