"""One line per problem, for editors and grep: ``file:line:pointer: CODE [*] message``."""

from __future__ import annotations

from typing import TextIO

from ftprep.core.fix import Applicability
from ftprep.report.data import ReportData
from ftprep.report.location import printable, where
from ftprep.report.summary import footer, statistics_table


def render(report: ReportData, stream: TextIO) -> None:
    if report.statistics:  # counts per rule, not the findings
        stream.write(statistics_table(report))
        stream.write(footer(report))
        return
    for d in report.problems:
        mark = " [*]" if d.fix and d.fix.applicability is Applicability.SAFE else ""
        pointer = f"{printable(d.pointer)}:" if d.pointer else ""
        stream.write(f"{where(d)}:{pointer} {d.code}{mark} {printable(d.message)}\n")
    stream.write(footer(report))
