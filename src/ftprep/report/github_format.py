"""GitHub Actions workflow commands: each problem becomes an annotation on its line."""

from __future__ import annotations

from typing import TextIO

from ftprep.report.data import ReportData
from ftprep.report.location import printable

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    value = printable(value)  # other control characters, an ESC above all, as escapes
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def render(report: ReportData, stream: TextIO) -> None:
    for d in report.problems:
        props = [f"file={_escape(d.file, True)}"]
        if d.line is not None:
            props.append(f"line={d.line}")
        props.append(f"title={_escape(f'{d.code} ({d.name})', True)}")
        where = f" [{d.pointer}]" if d.pointer else ""
        stream.write(
            f"::{_LEVEL[d.severity.value]} {','.join(props)}::{_escape(d.message + where)}\n"
        )
