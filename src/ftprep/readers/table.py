"""What a header row says about the rows beneath it, for every table reader (CSV, TSV, XLSX).

Tables lose text in quiet ways: a message with an unquoted comma spills into unnamed
columns, a row grows more cells than the header, a stray cell far to the right makes a
sheet thousands of columns wide, and a first row that is data becomes the column names.
:class:`TableShape` turns each row's cells into a record's dict and says, as IO009
findings, whenever cells did not line up: the text is kept (joined back) or the row is
rejected with its cells, never dropped without a word.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.errors import shown_names


def column_letters(n: int) -> list[str]:
    """Spreadsheet column names A, B, ... Z, AA, AB ... for headerless tables."""
    return [column_letter(i) for i in range(n)]


def column_letter(i: int) -> str:
    name, k = "", i + 1
    while k:
        k, rem = divmod(k - 1, 26)
        name = string.ascii_uppercase[rem] + name
    return name


_NUMBER = re.compile(r"^[-+]?\d[\d,. ]*%?$")


def looks_like_data(first: list[str], rows: list[list[str]]) -> str | None:
    """Why the first row of a table is plainly a data row rather than a header, or None.

    A header names columns: short, distinct labels. A first row whose cells are sentences,
    numbers, or values that recur below in the same column is data.
    """
    cells = [c.strip() for c in first]
    named = [c for c in cells if c]
    if not named:
        return None
    for i, cell in enumerate(cells):
        if not cell:
            continue
        if len(cell) > 60 or len(cell.split()) >= 8:
            return f"its cell {cell[:40]!r}{'…' if len(cell) > 40 else ''} reads like text"
        below = [r[i].strip() for r in rows if i < len(r)]
        if sum(1 for v in below if v == cell) >= 2:
            return f"{cell!r} also appears {sum(v == cell for v in below)} times below it"
    if all(_NUMBER.match(c) for c in named):
        return "its cells are numbers"
    return None


@dataclass
class RowShape:
    """One row as a record's dict, plus what did not line up (findings and a rejection)."""

    row: dict[str, str] | None
    findings: list[Finding] = field(default_factory=list)
    # When the row is rejected: why, and its cells as read.
    rejected: tuple[str, list[str]] | None = None


class TableShape:
    """Column names from a header row, and the rule that fits each row to them.

    Empty header cells are named after their letter (``column C``), and such a column
    becomes a key only in rows that fill it: a stray cell at XFD1 does not give every
    record 16,383 empty keys. In a delimited file (``joiner`` is its delimiter), text in
    the unnamed columns after the last named one was spilled there by an unquoted
    delimiter and is joined back, and a row with more cells than the header lost its cell
    boundaries and is rejected with its cells. In a workbook, cells beyond the header are
    kept under their letters.
    """

    def __init__(
        self,
        header: list[str],
        *,
        joiner: str | None,
        has_header: bool,
        stray: frozenset[int] = frozenset(),
    ) -> None:
        """``stray``: header cells apart from the table whose column no row fills (a name
        typed at XFD1); they are treated like empty header cells."""
        cells = [c.strip().lstrip("\ufeff") for c in header]
        self.has_header = has_header
        self.joiner = joiner
        self.declared = len(cells)  # cells the header row has, empty ones included
        if has_header:
            named = [i for i, c in enumerate(cells) if c and i not in stray]
            self.named_width = named[-1] + 1 if named else 0
            self.names = [c or f"column {column_letter(i)}" for i, c in enumerate(cells)]
            self.unnamed = frozenset(i for i, c in enumerate(cells) if not c) | stray
        else:
            self.named_width = len(cells)
            self.names = column_letters(len(cells))
            self.unnamed = frozenset()

    @property
    def columns(self) -> list[str]:
        """The names of the named columns (what a mapping picks from)."""
        return [n for i, n in enumerate(self.names) if i not in self.unnamed]

    def fit(self, cells: list[str], where: str) -> RowShape:
        """The record for one row's cells; ``where`` names the row in messages."""
        declared, joiner = self.declared, self.joiner
        extra = [c for c in cells[declared:] if c.strip()]
        if extra and joiner is not None and self.has_header:
            message = (
                f"{where} has {len(cells)} cells, the header {declared}: a cell probably holds "
                f"an unquoted {_delimiter_name(joiner)}; the row was rejected with its cells. "
                "Quote that cell in the file"
            )
            return RowShape(None, [_finding(message, Severity.ERROR)], (message, cells))
        findings: list[Finding] = []
        if len(cells) < self.named_width and joiner is not None and self.has_header:
            missing = [
                self.names[i] for i in range(len(cells), self.named_width) if i not in self.unnamed
            ]
            findings.append(
                _finding(
                    f"{where} has {len(cells)} cells, the header {declared}: "
                    f"{shown_names(missing)} read as empty",
                    Severity.WARNING,
                )
            )
        names = self.names
        row: dict[str, str] = {}
        for i, value in enumerate(cells[:declared]):
            if i not in self.unnamed or value.strip():
                row[names[i]] = value
        for i in range(len(cells), self.named_width):
            if i not in self.unnamed:
                row[names[i]] = ""
        spilled = [i for i in self.unnamed if i >= self.named_width and names[i] in row]
        if spilled and joiner is not None and self.named_width:
            # v1,v2,,, in a spam.csv: the message's unquoted commas moved its end rightwards.
            target = names[self.named_width - 1]
            tail = cells[self.named_width : max(spilled) + 1]
            row[target] = joiner.join([row[target], *tail])
            for i in spilled:
                row.pop(names[i])
            findings.append(
                _finding(
                    f"{where} has text in {len(spilled)} unnamed column(s) after {target!r}; it "
                    f"was joined back into {target!r} (the text holds an unquoted "
                    f"{_delimiter_name(joiner)})",
                    Severity.WARNING,
                )
            )
        if extra:  # a workbook: cells right of the header keep their letters
            for i, value in enumerate(cells[declared:], start=declared):
                if value.strip():
                    row[f"column {column_letter(i)}"] = value
            findings.append(
                _finding(
                    f"{where} has {len(extra)} value(s) right of the last header column; they "
                    "are read as columns named after their letters",
                    Severity.WARNING,
                )
            )
        return RowShape(row, findings)


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
        delimiter, repr(delimiter)
    )


def _finding(message: str, severity: Severity) -> Finding:
    return Finding(message=message, severity_override=severity)
