from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.model import Record
from ftprep.core.prefilter import Prefilter
from ftprep.core.rule import Rule, RuleContext, Scope
from ftprep.core.texts import record_texts
from ftprep.rules.texts import plural, show

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


def _plain(text: str) -> bool:
    """Whether a text is over 20 characters once stripped, does not start with ``=`` once
    stripped, and is not 32,767 characters long: then it is only a value, and no finding.
    It may start with one whitespace character (a completion's leading space): then
    ``strip()`` removes just it, and the stripped text starts with the second character."""
    return (
        len(text) > 22
        and len(text) != EXCEL_CELL_LIMIT
        and text[0] != "="
        and (not text[0].isspace() or (text[1] != "=" and not text[1].isspace()))
        and (not text[-1].isspace() or len(text.rstrip()) > 22)
    )


def _long_value(text: str) -> bool:
    """Long text that neither starts like a formula nor ends in whitespace: a value, which
    only Excel's cell-size cut can spoil."""
    return len(text) > 20 and text[0] not in _SUSPECT_START and text[-1] not in _SUSPECT_END


_NOT_PLAIN = Prefilter(text=lambda text: not _plain(text))


class ColumnValues(Collector):
    """Per text field: its values, and how many of them look like integers or end in
    ``.0`` (a number that went through a float)."""

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__(ctx)
        self.columns: dict[str, _ColumnState] = {}

    def feed(self, batch: Batch) -> None:
        """Most texts are plain values, counted in one comprehension; the others are
        looked at one by one."""
        texts = batch.index
        plain = [_plain(text) for text in texts.texts]
        for pointer, n in Counter(
            p for p, ok in zip(texts.pointers, plain, strict=True) if ok
        ).items():
            self._column(pointer).values += n
        for i, ok in enumerate(plain):
            if not ok:
                self._count(texts.owners[i].index, texts.pointers[i], texts.texts[i])

    def _count(self, index: int, pointer: str, text: str) -> None:
        if _long_value(text):
            self._column(pointer).values += 1
            return
        stripped = text.strip()
        if not stripped:
            return
        column = self._column(pointer)
        column.values += 1
        if len(stripped) <= 20:
            if _INTEGER.match(stripped):
                column.integers += 1
            elif _FLOAT_INT.match(stripped) and len(column.float_ints) < _MAX_EXAMPLES:
                column.float_ints.append((index, stripped))

    def _column(self, pointer: str) -> _ColumnState:
        col = self.columns.get(pointer)
        if col is None:
            col = self.columns[pointer] = _ColumnState()
        return col

    def merge(self, other: Collector) -> None:
        assert isinstance(other, ColumnValues)
        for pointer, col in other.columns.items():
            self._column(pointer).merge(col)


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

    def prefilter(self) -> Prefilter:
        return _NOT_PLAIN

    def collects(self) -> Collects:
        return Collects(ColumnValues)

    def check_record(self, record: Record) -> list[Finding]:
        out: list[Finding] = []
        for pointer, text, _role in record_texts(record):
            if _long_value(text):
                if len(text) == EXCEL_CELL_LIMIT:
                    out.append(Finding(_CUT_MESSAGE, pointer=pointer))
                continue
            stripped = text.strip()
            if not stripped:
                continue
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
        return out

    def finish(self) -> Iterator[Finding]:
        assert isinstance(self.collected, ColumnValues)
        for pointer, col in sorted(self.collected.columns.items()):
            # Only a field that is (nearly) all numbers is a numeric column.
            if col.float_ints and (col.integers + len(col.float_ints)) >= 0.9 * col.values:
                for index, text in col.float_ints:
                    yield Finding(
                        f"{text!r} where {plural(col.integers, 'other value')} of this field "
                        f"are integers: a number that went through a float",
                        record=index,
                        pointer=pointer,
                    )
