"""The one interface every input has: a reader's view of a file, a frame or a cluster.

Readers subclass :class:`Source`; the engine, the session and the converters use only what
it declares, so that a new input format is one reader module and one row of the readers
table (``ftprep.readers.open.FORMATS``), with no attribute probing anywhere.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from ftprep.core.diagnostic import Finding
from ftprep.core.location import SourceInfo
from ftprep.core.model import Record


@dataclass(slots=True)
class Rejection:
    """A record slot that could not become a record: the raw input and why."""

    index: int
    line: int
    raw: Any  # the line's text, or the row/object as read
    reasons: list[tuple[str, str]]  # (code, message)


@dataclass
class JobOutput:
    """What reading one job produced: records, reader issues, and one line per record slot."""

    first_index: int
    lines: array[int]
    records: list[Record]
    issues: list[tuple[str, Finding]]
    rejected: list[Rejection] = field(default_factory=list)
    bytes_read: int = 0
    # Stable record index of each slot when they are not first_index, first_index + 1, ...
    # (an intermediate file of the fixer, after records were dropped).
    indexes: array[int] | None = None
    # Spreadsheet rows of the records whose row is not their line (index -> row), sparse.
    rows: dict[int, int] | None = None


class Job(Protocol):
    def run(self) -> JobOutput: ...


class Source:
    """A record source: jobs of rows in input order, and what the reader saw on the way."""

    info: SourceInfo
    # Turns a raw row (a dict, a list of cells) into a record or a reason it cannot be one.
    transform: Callable[[Any, int, int], Any]
    # Input bytes per job when the reader cuts jobs by size (None: it does not); the engine
    # makes jobs smaller when costly rules want both cores on a small file.
    chunk_bytes: int | None = None
    # Empty rows the last read skipped (tables), reported in the summary.
    skipped_empty: int = 0
    # Why the first row looks like data rather than a header (tables), else None.
    header_doubt: str | None = None

    # Input size in bytes (rows for frames), for progress and the choice of parallel workers.
    size: int = 0

    def jobs(self) -> Iterator[Job]:
        """The input as jobs of consecutive rows, read again on every call."""
        raise NotImplementedError

    def sample(self) -> tuple[Any, list[str] | None]:
        """The first raw row and the column names (None for JSON), for layout detection."""
        raise NotImplementedError

    def file_issues(self) -> list[tuple[str, Finding]]:
        """(code, finding) about the file as a whole (a BOM), after a read."""
        return []

    def set_transform(self, transform: Callable[[Any, int, int], Any]) -> None:
        """Convert every row with ``transform`` (a converter) from now on."""
        self.transform = transform

    def run_jobs(self, runner: Any) -> Iterator[Any] | None:
        """Run every job elsewhere (a Dask cluster) and yield the results in input order;
        None when the jobs run here."""
        return None
