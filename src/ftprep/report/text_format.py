"""The default human format: one block per problem, a summary, and the token summary."""

from __future__ import annotations

from typing import TextIO

from ftprep.core.fix import Applicability
from ftprep.report.data import ReportData
from ftprep.report.histogram import render_histogram
from ftprep.report.location import detail, printable, where
from ftprep.report.summary import _count, footer, statistics_table, token_summaries


def render(report: ReportData, stream: TextIO) -> None:
    for f in report.files:
        if f["layout"]:
            name = printable(f["file"])
            stream.write(f"{name}: {_count(f['records'], 'record')}, read as {f['layout']}\n")
        else:
            stream.write(f"{printable(f['file'])}: could not be read\n")
    if report.files:
        stream.write("\n")
    if report.statistics:  # counts per rule, not the findings
        stream.write(statistics_table(report))
        stream.write(token_summaries(report))
        stream.write(footer(report))
        return
    shown, folded = report.shown_and_folded()
    for d in shown:
        stream.write(f"{where(d)}: {d.code} [{d.severity.value}] {printable(d.message)}\n")
        info = detail(d)
        if info:
            stream.write(f"    at {info}\n")
        for r in d.related:
            sim = f" (similarity {r.similarity:.2f})" if r.similarity is not None else ""
            stream.write(f"    see {printable(r.file)}:{r.line}{sim}\n")
        if d.fix is not None:
            label = {
                Applicability.SAFE: "fix",
                Applicability.UNSAFE: "unsafe fix",
                Applicability.DISPLAY_ONLY: "suggestion",
            }[d.fix.applicability]
            stream.write(f"    {label}: {printable(d.fix.title)}\n")
    for file, code, name, count, first in folded:
        lines = ", ".join(str(d.line) for d in first if d.line is not None)
        more = f" (lines {lines}, …)" if lines else ""
        stream.write(f"{printable(file)}: {code} ({name}) {count:,} more like the above{more}\n")
    if folded:
        stream.write(
            "    the folded findings are in --show-all and --output-format json; "
            "--statistics counts them per rule\n"
        )
    stream.write(token_summaries(report))
    if report.terminal:
        for d in report.summaries:
            if d.data and d.data.get("histogram") and d.data["examples"]:
                stream.write(f"Token lengths in {printable(d.file)}:\n")
                render_histogram(d.data["histogram"], stream)
                stream.write("\n")
    stream.write(footer(report))
