from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Batch, Record
from ftprep.core.rule import Rule, Scope
from ftprep.rules.batch_texts import batch_texts
from ftprep.rules.texts import plural, record_texts, show

EXCEL_ERRORS = ("#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#SPILL!")
NAN_TEXTS = ("nan", "NaN", "NAN")
EXCEL_CELL_LIMIT = 32767
_FORMULA = re.compile(r"^=[A-Z][A-Z0-9.]*\(|^=[A-Z]{1,3}\$?[0-9]+\b")
_INTEGER = re.compile(r"^-?[0-9]+$")
_FLOAT_INT = re.compile(r"^-?[0-9]+\.0$")
_MAX_EXAMPLES = 1000
_SUSPECT_START = "= \t\n\r"
_SUSPECT_END = " \t\n\r"
_CUT_MESSAGE = "the value is exactly 32,767 characters, Excel's cell limit: it was probably cut off"


class _ColumnState:
    """Per text field: how many values look like integers, and which ones end in ``.0``."""

    def __init__(self) -> None:
        self.values = 0
        self.integers = 0
        self.float_ints: list[tuple[int, str]] = []  # (record, text), capped

    def merge(self, other: _ColumnState) -> None:
        self.values += other.values
        self.integers += other.integers
        room = _MAX_EXAMPLES - len(self.float_ints)
        self.float_ints.extend(other.float_ints[: max(0, room)])


class SpreadsheetArtifact(Rule):
    """## What it does
    Reports spreadsheet debris in text: Excel error values (`#N/A`, `#REF!`, `#VALUE!`...),
    the text `nan` left by a pandas export, formula text, a cell cut at Excel's
    32,767-character limit, a formula with no cached value, and `1.0` in a column that
    otherwise holds integers (a label that went through a float).

    ## Why is this bad?
    The model learns these strings as answers. A classifier trained on `1.0` and `1` sees
    two classes where the data has one.

    ## Example
    | text | label |
    |---|---|
    | great film | 1 |
    | dull | #N/A |

    ## Use instead
    Fix the cells in the workbook (or drop the row) and export again.

    ## Options
    None.

    ## Fix safety
    No fix: the right value is in the user's head or workbook.

    ## References
    - onyx-dot-app/onyx#13353 (formula strings), pandas-dev/pandas#20377 (`nan` text)
    """

    code = "IO007"
    name = "spreadsheet-artifact"
    group = "io"
    scope = Scope.DATASET
    default_severity = Severity.WARNING

    def __init__(self, options: Any, ctx: Any) -> None:
        super().__init__(options, ctx)
        self.columns: dict[str, _ColumnState] = {}

    def check_batch(self, batch: Batch) -> list[tuple[Record, Finding]]:
        """A text over 20 characters once stripped, not starting with ``=`` once stripped,
        and not 32,767 characters long, only counts as a value: most texts are counted in
        one comprehension; the others are checked one by one. A text may start with one
        whitespace character (a completion's leading space): then ``strip()`` removes just
        it, and the stripped text starts with the second character."""
        texts = batch_texts(batch)
        plain = [
            len(text) > 22
            and len(text) != EXCEL_CELL_LIMIT
            and text[0] != "="
            and (not text[0].isspace() or (text[1] != "=" and not text[1].isspace()))
            and (not text[-1].isspace() or len(text.rstrip()) > 22)
            for text in texts.texts
        ]
        out: list[tuple[Record, Finding]] = []
        for pointer, n in Counter(
            p for p, ok in zip(texts.pointers, plain, strict=True) if ok
        ).items():
            (self.columns.get(pointer) or self._column(pointer)).values += n
        for i, ok in enumerate(plain):
            if not ok:
                record = texts.owners[i]
                out.extend(
                    (record, f) for f in self._check_text(record, texts.pointers[i], texts.texts[i])
                )
        return out

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        for pointer, text, _role in record_texts(record):
            out.extend(self._check_text(record, pointer, text))
        return out

    def _check_text(self, record: Record, pointer: str, text: str) -> list[Finding]:
        out: list[Finding] = []
        column = self.columns.get(pointer) or self._column(pointer)
        if len(text) > 20 and text[0] not in _SUSPECT_START and text[-1] not in _SUSPECT_END:
            # Long text that neither starts like a formula nor ends in whitespace: only
            # Excel's cell-size cut can apply. (Most texts take this short path.)
            column.values += 1
            if len(text) == EXCEL_CELL_LIMIT:
                out.append(Finding(_CUT_MESSAGE, pointer=pointer))
            return out
        stripped = text.strip()
        if not stripped:
            return out
        column.values += 1
        if stripped in EXCEL_ERRORS:
            out.append(Finding(f"the value is the Excel error {stripped}", pointer=pointer))
        elif stripped in NAN_TEXTS:
            out.append(
                Finding(
                    f"the value is the text {stripped!r}, left by an export of an empty cell",
                    pointer=pointer,
                )
            )
        elif _FORMULA.match(stripped):
            out.append(Finding(f"the value is formula text {show(stripped)}", pointer=pointer))
        elif len(text) == EXCEL_CELL_LIMIT:
            out.append(Finding(_CUT_MESSAGE, pointer=pointer))
        if len(stripped) <= 20:
            if _INTEGER.match(stripped):
                column.integers += 1
            elif _FLOAT_INT.match(stripped) and len(column.float_ints) < _MAX_EXAMPLES:
                column.float_ints.append((record.index, stripped))
        return out

    def _column(self, pointer: str) -> _ColumnState:
        col = self.columns.get(pointer)
        if col is None:
            col = self.columns[pointer] = _ColumnState()
        return col

    def state(self) -> dict[str, _ColumnState]:
        return self.columns

    def merge(self, state: dict[str, _ColumnState]) -> None:
        for pointer, col in state.items():
            self._column(pointer).merge(col)

    def finish(self) -> Iterator[Finding]:
        for pointer, col in sorted(self.columns.items()):
            # Only a field that is (nearly) all numbers is a numeric column.
            if col.float_ints and (col.integers + len(col.float_ints)) >= 0.9 * col.values:
                for index, text in col.float_ints:
                    yield Finding(
                        f"{text!r} where {plural(col.integers, 'other value')} of this field "
                        f"are integers: a number that went through a float",
                        record=index,
                        pointer=pointer,
                    )
