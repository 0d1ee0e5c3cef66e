"""XLSX through openpyxl in read-only mode, each cell rendered as Excel shows it.

Formulas give their cached values; a formula without one (a workbook written by a script
and never opened in Excel) is reported, because its text would otherwise become training
data. Dates and numbers follow the cell's number format. Trailing empty rows are ignored
even when the sheet's stated dimension claims a million of them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from ftprep.core.diagnostic import Finding
from ftprep.core.location import SourceInfo
from ftprep.core.reasons import Reason
from ftprep.core.source import Source
from ftprep.readers.base import ReadError, RowJob, Transform, identity_transform
from ftprep.readers.open import OpenRequest
from ftprep.readers.table import TableShape, column_letters

_BATCH = 5000
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_DATE_TOKENS = [
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("mmmm", "%B"),
    ("mmm", "%b"),
    ("dddd", "%A"),
    ("ddd", "%a"),
    ("dd", "%d"),
    ("d", "%-d"),
    ("hh", "%H"),
    ("h", "%-H"),
    ("ss", "%S"),
    ("am/pm", "%p"),
]


def _strftime_pattern(number_format: str) -> str | None:
    fmt = re.sub(r"\[[^\]]*\]|\"[^\"]*\"|\\", "", number_format).lower()
    fmt = fmt.split(";")[0]
    if not any(ch in fmt for ch in "ymdhs"):
        return None
    out, i = "", 0
    last_was_hour = False
    while i < len(fmt):
        if fmt.startswith("mm", i) and not fmt.startswith("mmm", i):
            out += "%M" if last_was_hour or fmt[i + 2 : i + 4] in (":s", ":ss") else "%m"
            i += 2
            continue
        if fmt[i] == "m" and not fmt.startswith("mmm", i):
            out += "%M" if last_was_hour else "%-m"
            i += 1
            continue
        for token, code in _DATE_TOKENS:
            if fmt.startswith(token, i):
                out += code
                i += len(token)
                last_was_hour = token in ("hh", "h")
                break
        else:
            out += fmt[i]
            i += 1
    return out


def _format_date(value: dt.datetime | dt.date | dt.time, number_format: str) -> str:
    pattern = _strftime_pattern(number_format or "")
    if pattern:
        try:
            return value.strftime(pattern).replace("%-", "%")
        except ValueError:
            pass
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    return value.isoformat()


def _format_number(value: float | int, number_format: str) -> str:
    fmt = (number_format or "General").split(";")[0]
    if fmt in ("General", "@", ""):
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g") if isinstance(value, float) else str(value)
    percent = "%" in fmt
    if percent:
        value = value * 100
    decimals = 0
    match = re.search(r"\.([0#]+)", fmt)
    if match:
        decimals = len(match.group(1))
    grouping = "," if re.search(r"[#0],[#0]", fmt) else ""
    text = format(value, f"{grouping}.{decimals}f")
    return text + ("%" if percent else "")


def render_cell(value: Any, number_format: str) -> str:
    """The text Excel displays for a cell value."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return _format_date(value, number_format)
    if isinstance(value, (int, float)):
        return _format_number(value, number_format)
    return str(value)


_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")


def check_workbook_bytes(head: bytes) -> None:
    """Raise ReadError naming what a file named .xlsx really is, when it is no workbook."""
    if head.startswith(OLE2_MAGIC):
        if _ENCRYPTED in head or b"EncryptedPackage" in head.replace(b"\x00", b""):
            raise ReadError(
                "this workbook is encrypted (saved with a password); open it in Excel or "
                "LibreOffice, remove the password (File > Info > Protect Workbook) and save it"
            )
        raise ReadError(
            "this is a legacy Excel 97-2003 workbook (.xls) under an .xlsx name; open it in "
            "Excel or LibreOffice and save it as .xlsx or CSV"
        )
    if head.startswith(b"PK"):
        return
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text[:1] in (b"{", b"["):
        raise ReadError(
            "this is a JSON text file under an .xlsx name; pass --format json (or jsonl)"
        )
    try:
        sample = text.decode("utf-8")
    except UnicodeDecodeError:
        sample = ""
    if sample and any(d in sample.split("\n", 1)[0] for d in (",", ";", "\t", "|")):
        raise ReadError(
            "this is a CSV text file under an .xlsx name, not a workbook; pass --format csv "
            "(or --format tsv), or rename it to .csv"
        )
    raise ReadError("not an XLSX workbook (an XLSX file is a zip archive)")


def _trimmed(cells: list[str]) -> list[str]:
    """A row without its trailing empty cells (a stray cell far right pads every row)."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def open_xlsx(request: OpenRequest) -> XlsxSource:
    """The readers table's opener for XLSX workbooks."""
    options = request.options
    return XlsxSource(
        request.display,
        transform=request.transform,
        sheet=options.sheet,
        wanted_columns=options.wanted_columns,
        header=options.header,
    )


class XlsxSource(Source):
    """One sheet of an XLSX workbook."""

    def __init__(
        self,
        path: str,
        *,
        transform: Transform = identity_transform,
        sheet: str | None = None,
        wanted_columns: tuple[str, ...] = (),
        header: bool = True,
    ) -> None:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
        check_workbook_bytes(head)
        import warnings

        import openpyxl

        # openpyxl warns about workbook features it drops (extensions, data validation); they
        # do not affect cell values, and a warning on stderr would read like a data problem.
        warnings.filterwarnings("ignore", module="openpyxl")
        self.path = path
        self.transform = transform
        self.header = header
        try:
            self._values = openpyxl.load_workbook(path, read_only=True, data_only=True)
            self._formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many types for broken archives
            if "amplification" in str(exc) or "entit" in str(exc).lower():
                raise ReadError(
                    "the workbook's XML declares entities that expand without bound (a "
                    "'billion laughs' file) and was not read; re-save it from a spreadsheet "
                    "program or export the sheet as CSV"
                ) from None
            raise ReadError(
                f"broken XLSX workbook: {exc}; open and re-save it in a spreadsheet program, "
                "or export the sheet as CSV"
            ) from None
        self.sheet = self._pick_sheet(sheet, wanted_columns)
        import os

        self.size = os.path.getsize(path)
        self.info = SourceInfo(file=path, sheet=self.sheet, layout="xlsx")
        self.columns: list[str] = []
        self.skipped_empty = 0
        self._issues: list[tuple[str, Finding]] = []
        self._stray_columns: frozenset[int] | None = None

    def file_issues(self) -> list[tuple[str, Finding]]:
        return self._issues + self._merged_cells()

    def _merged_cells(self) -> list[tuple[str, Finding]]:
        """IO007 for each merged range: only its top-left cell holds the value.

        Read-only worksheets do not expose merged ranges, so they are read from the sheet's
        XML (a ``<mergeCell ref="A2:A4"/>`` per range).
        """
        ws = self._values[self.sheet]
        try:
            with ws.parent._archive.open(ws._worksheet_path) as fh:
                xml = fh.read().decode("utf-8", "replace")
        except (AttributeError, KeyError, OSError):  # pragma: no cover - openpyxl internals
            return []
        issues = []
        for ref in re.findall(r'<mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"', xml):
            first = ref.split(":")[0]
            row = int(re.sub(r"[A-Z]+", "", first))
            issues.append(
                (
                    Reason.SPREADSHEET_ARTIFACT.code,
                    Finding(
                        message=f"cells {ref} are merged: only {first} holds the value, the other "
                        "cells of the range read as empty; unmerge and fill them in the workbook",
                        line=row,
                    ),
                )
            )
        return issues

    def sample(self) -> tuple[Any, list[str]]:
        header = _trimmed(self._header_of(self.sheet))
        shape = TableShape(header, joiner=None, has_header=self.header, stray=self._stray())
        return dict.fromkeys(shape.columns, ""), shape.columns

    def _stray(self) -> frozenset[int]:
        """Named header cells cut off from the table by an empty one, whose column no row
        fills: a stray name far right is not a column (found once, by reading the sheet)."""
        if self._stray_columns is not None:
            return self._stray_columns
        header = self._header_of(self.sheet) if self.header else []
        apart = {i for i in range(1, len(header)) if header[i] and not header[i - 1]}
        filled: set[int] = set()
        if apart:
            rows = self._values[self.sheet].iter_rows(min_row=2, values_only=True)
            for row in rows:
                for i in apart - filled:
                    if i < len(row) and row[i] not in (None, ""):
                        filled.add(i)
                if filled == apart:
                    break
        self._stray_columns = frozenset(apart - filled)
        return self._stray_columns

    def _header_of(self, name: str) -> list[str]:
        ws = self._values[name]
        for row in ws.iter_rows(min_row=1, max_row=1, values_only=True):
            return [render_cell(v, "General").strip() for v in row]
        return []

    def _pick_sheet(self, sheet: str | None, wanted: tuple[str, ...]) -> str:
        names: list[str] = self._values.sheetnames
        if sheet is not None:
            if sheet in names:
                return sheet
            raise ReadError(f"no sheet named {sheet!r}; sheets: {', '.join(names)}")
        if len(names) == 1:
            return names[0]
        if wanted:
            matching = [n for n in names if set(wanted) <= set(self._header_of(n))]
            if len(matching) == 1:
                return matching[0]
        raise ReadError(
            f"the workbook has {len(names)} sheets ({', '.join(names)}); choose one with --sheet"
            + (" (none or several have every mapped column)" if wanted else "")
        )

    def _rows(self) -> Iterator[tuple[int, list[str], list[tuple[str, str]]]]:
        """(row number, rendered cells, [(cell ref, formula) lacking a cached value])."""
        values = self._values[self.sheet].iter_rows()
        formulas = self._formulas[self.sheet].iter_rows(values_only=True)
        for number, (cells, raw) in enumerate(zip(values, formulas, strict=False), start=1):
            rendered = []
            uncached = []
            for col, cell in enumerate(cells):
                value = getattr(cell, "value", None)
                fmt = getattr(cell, "number_format", "General")
                formula = raw[col] if col < len(raw) else None
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    uncached.append((f"{column_letters(col + 1)[-1]}{number}", formula))
                    rendered.append(formula)
                else:
                    rendered.append(render_cell(value, fmt))
            yield number, rendered, uncached

    def jobs(self) -> Iterator[RowJob]:
        """Every row of the sheet, whatever its stated dimension: empty rows are skipped
        and counted wherever they are (data after a thousand empty rows is still read),
        and columns no row fills never become keys (see :class:`TableShape`), nor does a
        stray name far right of the table."""
        self.skipped_empty = 0  # counted again on every read
        rows: list[tuple[int, Any, str | None]] = []
        issues: list[tuple[str, Finding]] = []
        index = 0
        pending_empty = 0
        shape: TableShape | None = None
        try:
            for number, cells, uncached in self._rows():
                if shape is None and self.header and number == 1:
                    shape = TableShape(cells, joiner=None, has_header=True, stray=self._stray())
                    self.columns = shape.columns
                    continue
                if not any(cells):
                    pending_empty += 1
                    continue
                self.skipped_empty += pending_empty  # empty rows between data rows
                pending_empty = 0
                if shape is None:
                    shape = TableShape(cells, joiner=None, has_header=False)
                    self.columns = shape.columns
                fitted = shape.fit(_trimmed(cells), f"row {number}")
                record = index + len(rows)
                for finding in fitted.findings:
                    finding.record, finding.line = record, number
                    issues.append((Reason.RAGGED_ROW.code, finding))
                for ref, formula in uncached:
                    issues.append(
                        (
                            Reason.SPREADSHEET_ARTIFACT.code,
                            Finding(
                                message=f"cell {ref} holds the formula {formula!r} with no cached "
                                "value; open and save the workbook in Excel or LibreOffice to "
                                "compute it",
                                record=record,
                                line=number,
                            ),
                        )
                    )
                rows.append((number, fitted.row, None))
                if len(rows) >= _BATCH:
                    yield RowJob(index, rows, self.transform, issues)
                    index += len(rows)
                    rows, issues = [], []
        except ReadError:
            raise
        except Exception as exc:  # openpyxl raises many types for a damaged sheet
            raise ReadError(f"the workbook's sheet {self.sheet!r} cannot be read: {exc}") from None
        if rows or issues:
            yield RowJob(index, rows, self.transform, issues)
