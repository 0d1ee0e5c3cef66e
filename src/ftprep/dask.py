"""Dask: lint and convert a dataset too big for one machine, partition by partition.

    import dask.dataframe as dd
    import ftprep.dask

    frame = dd.read_csv("s3://bucket/tickets-*.csv", dtype=str, keep_default_na=False)
    report = ftprep.dask.lint(frame, mapping={"user": "body", "assistant": "reply"}, to="chat")
    converted = ftprep.dask.convert(frame, mapping={"user": "body", "assistant": "reply"})
    converted.records.map(json.dumps).to_textfiles("s3://bucket/chat-*.jsonl")

Each partition is converted and linted on a worker by the same runner the single-machine
engine uses: per-record rules report there, and the dataset-level rules (duplicates, class
balance, the token summary...) return their compact state, which is merged here in partition
order before they conclude. That is exactly how ftprep combines its own worker processes, so
the findings equal those of ``ftprep.lint_frame`` on the same rows, partition boundaries
notwithstanding. Records are numbered across partitions; rows count from 1. Numbering
needs each partition's size first, so partitions are read twice (once to count their rows,
once to lint); ``persist()`` the frame first when reading it is the expensive part.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ftprep.api import LintReport, lint_sources
from ftprep.core.location import SourceInfo
from ftprep.core.source import Source
from ftprep.pipeline import collect_records, open_input
from ftprep.readers.base import Transform, identity_transform
from ftprep.readers.frame import FrameSource, nonempty_rows
from ftprep.session import open_session


class DaskFrameSource(Source):
    """A Dask DataFrame as a record source: jobs run on the cluster, one task per partition."""

    def __init__(self, frame: Any, name: str = "<dask dataframe>") -> None:
        import dask

        self.frame = frame
        self.transform: Transform = identity_transform
        self.columns = [str(c) for c in frame.columns]
        self.info = SourceInfo(file=name, layout="dask-dataframe")
        self._parts = frame.to_delayed()
        # Where each partition starts: its first record index and its first row number.
        sizes = dask.compute(*[dask.delayed(_sizes)(p) for p in self._parts])
        self.offsets: list[tuple[int, int]] = []
        index, row = 0, 1
        for records, rows in sizes:
            self.offsets.append((index, row))
            index, row = index + records, row + rows
        self.size = max(1, row - 1)
        self.skipped_empty = 0

    def file_issues(self) -> list[Any]:
        return []

    def sample(self) -> tuple[Any, list[str]]:
        return dict.fromkeys(self.columns, ""), self.columns

    def run_jobs(self, runner: Any) -> Iterator[Any]:
        """Lint every partition on the cluster; results in partition order."""
        import dask

        tasks = [
            dask.delayed(_lint_partition)(runner, part, self.transform, i, r)
            for part, (i, r) in zip(self._parts, self.offsets, strict=True)
        ]
        for results in dask.compute(*tasks):
            yield from results

    def jobs(self) -> Iterator[Any]:
        """The partitions' jobs, computed one partition at a time here (for a second pass:
        near-duplicate confirmation, or fetching the records of a few findings)."""
        for part, (index, row) in zip(self._parts, self.offsets, strict=True):
            yield from FrameSource(part.compute(), "", self.transform, index, row).jobs()


def _sizes(frame: Any) -> tuple[int, int]:
    return nonempty_rows(frame), len(frame)


def _lint_partition(
    runner: Any, frame: Any, transform: Transform, index: int, row: int
) -> list[Any]:
    return [runner.run(job) for job in FrameSource(frame, "", transform, index, row).jobs()]


def lint(
    frame: Any,
    *,
    valid: Any = None,
    name: str = "<dask dataframe>",
    valid_name: str = "<valid dask dataframe>",
    **kwargs: Any,
) -> LintReport:
    """Lint a Dask DataFrame (and optionally a validation one) on the current Dask scheduler.

    Keyword arguments are those of :func:`ftprep.lint` (``mapping``, ``to``, ``select``...).
    """
    return lint_sources(
        DaskFrameSource(frame, name),
        DaskFrameSource(valid, valid_name) if valid is not None else None,
        **kwargs,
    )


@dataclass
class DaskConversion:
    """Converted records and the rows that could not be, as Dask bags (nothing is lost)."""

    layout: str
    records: Any
    rejected: Any


def convert(frame: Any, *, name: str = "<dask dataframe>", **kwargs: Any) -> DaskConversion:
    """Convert every partition to fine-tuning records, lazily (compute or write the bags)."""
    import dask
    import dask.bag as db

    from ftprep.pipeline import _describe_layout

    options = open_session(".", use_baseline=False, **kwargs).options
    source = DaskFrameSource(frame, name)
    opened = open_input(source, options)
    transform = source.transform
    parts = [
        dask.delayed(_convert_partition)(part, transform, i, r, name)
        for part, (i, r) in zip(source._parts, source.offsets, strict=True)
    ]
    records = db.from_delayed([dask.delayed(lambda pair: pair[0])(p) for p in parts])
    rejected = db.from_delayed([dask.delayed(lambda pair: pair[1])(p) for p in parts])
    return DaskConversion(_describe_layout(opened), records, rejected)


def _convert_partition(
    frame: Any, transform: Transform, index: int, row: int, name: str
) -> tuple[list[Any], list[Any]]:
    return collect_records(FrameSource(frame, name, transform, index, row), name)


__all__ = ["DaskConversion", "DaskFrameSource", "convert", "lint"]
