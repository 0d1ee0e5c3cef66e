"""The versioned JSON report (schema in docs/json-report.md); nothing else is printed."""

from __future__ import annotations

from typing import Any, TextIO

import orjson

from ftprep.report.data import REPORT_VERSION, ReportData


def as_dict(report: ReportData) -> dict[str, Any]:
    out: dict[str, Any] = {
        "version": REPORT_VERSION,
        "tool": {"name": "ftprep", "version": report.tool_version},
        "files": report.files,
        "summary": report.summary(),
        "diagnostics": [d.as_dict() for d in report.diagnostics],
    }
    if report.fixed is not None:
        out["fixed"] = report.fixed
    return out


def render(report: ReportData, stream: TextIO) -> None:
    stream.write(orjson.dumps(as_dict(report), option=orjson.OPT_INDENT_2).decode())
    stream.write("\n")
