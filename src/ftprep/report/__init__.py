"""Renderers: one module per output format, each fed the same :class:`ReportData`."""

from __future__ import annotations

import importlib
from typing import TextIO

from ftprep.report.data import ReportData

FORMATS = ("text", "concise", "json", "github", "sarif", "html")


def render(fmt: str, report: ReportData, stream: TextIO) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    module = importlib.import_module(f"ftprep.report.{fmt}_format")
    module.render(report, stream)


__all__ = ["FORMATS", "ReportData", "render"]
