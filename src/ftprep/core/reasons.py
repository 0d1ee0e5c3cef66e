"""Why readers and converters set input aside or report on it, as typed reasons.

Readers and converters run below the rules (they may not import them), yet what they
report is each one rule's finding: a line that is not JSON is IO002 ``invalid-json``. They
name the reason; the rule that reports it declares ``reason`` and the rules package
registers the codes (:func:`register`), so that no code is written outside ``rules/``.
A reason's value is its rule's name, which users already know and which never changes.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from enum import Enum


class Reason(str, Enum):
    UNREADABLE_FILE = "unreadable-file"
    INVALID_JSON = "invalid-json"
    RECORD_NOT_OBJECT = "record-not-object"
    BYTE_ORDER_MARK = "byte-order-mark"
    BLANK_LINE = "blank-line"
    DUPLICATE_KEY = "duplicate-key"
    SPREADSHEET_ARTIFACT = "spreadsheet-artifact"
    RAGGED_ROW = "ragged-row"
    QUOTE_SPANS_ROWS = "quote-spans-rows"
    MISSING_MESSAGES = "missing-messages"
    MISSING_REQUIRED_FIELD = "missing-required-field"
    UNRECOGNIZED_ROLE = "unrecognized-role"
    INVALID_TOOL_CALL = "invalid-tool-call"
    INVALID_CONTENT_PART = "invalid-content-part"
    INVALID_PREFERENCE_PAIR = "invalid-preference-pair"
    NON_STRING_VALUE = "non-string-value"

    @property
    def code(self) -> str:
        """The code of the rule that reports this reason (``IO002`` for invalid JSON)."""
        if not _CODES:
            # The rules package fills the table when imported; importing it by name keeps
            # the core free of a dependency on it (the registry is the rules' to own).
            importlib.import_module("ftprep.rules")
        return _CODES[self]


_CODES: dict[Reason, str] = {}


def register(codes: Mapping[Reason, str]) -> None:
    """Record which rule code reports each reason (called by ``ftprep.rules``)."""
    _CODES.update(codes)
