"""Fixes are data: a title, edits, and how safe they are to apply without a person.

Each edit states its precondition (the value it expects or the effect it wants), so applying
an edit whose record has already changed does nothing: that is what makes the fixer's
re-lint loop converge and makes fixing twice equal to fixing once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ftprep.core import pointer as jp
from ftprep.core.invisible import remove_debris


class Applicability(str, Enum):
    """ruff's split: safe keeps the meaning, unsafe changes the training signal."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class FixAvailability(str, Enum):
    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


# Edit operations. Each is idempotent on its own: its precondition fails once applied.
OPS = (
    "set",  # pointer: old -> value
    "append",  # string at pointer gains suffix ``value`` (what of it is not already there)
    "prepend",  # string at pointer gains prefix ``value`` unless it already starts with it
    "remove-prefix",  # string at pointer loses prefix ``value``; ``old`` True keeps one space
    "lowercase",  # string at pointer is lowercased
    "strip",  # string at pointer loses the surrounding whitespace strip_surrounding names
    "remove-invisible",  # string at pointer loses invisible debris (NBSP becomes a space)
    "stringify",  # number at pointer becomes its text
    "rename-key",  # key at pointer is renamed to ``value`` (if that key is free)
    "delete-key",  # key at pointer is removed
    "truncate-list",  # list at pointer is cut to ``value`` items (``old`` = expected length)
    "merge-next",  # list item at pointer absorbs the next item's content (same role only)
    "drop-record",  # the whole record goes to the rejected file (the fixer does this)
    "strip-bom",  # file level: the output is written without a byte-order mark
    "remove-blank-line",  # file level: the output is written without blank lines
)


@dataclass(frozen=True, slots=True)
class Edit:
    """One change to one record (or, with ``record=None``, to every record of the split)."""

    op: str
    record: int | None
    pointer: str = ""
    value: Any = None
    old: Any = None
    split: str = "train"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op, "record": self.record, "pointer": self.pointer}
        if self.value is not None:
            out["value"] = self.value
        if self.old is not None:
            out["old"] = self.old
        if self.split != "train":
            out["split"] = self.split
        return out


@dataclass(frozen=True, slots=True)
class Fix:
    """A proposed change: what it does (title), the edits, and how safe it is."""

    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability

    @property
    def applicable(self) -> bool:
        return self.applicability is not Applicability.DISPLAY_ONLY

    @property
    def drops(self) -> bool:
        return any(e.op == "drop-record" for e in self.edits)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "applicability": self.applicability.value,
            "edits": [e.as_dict() for e in self.edits],
        }


def _text_op(data: dict[str, Any], edit: Edit) -> bool:
    current = jp.resolve(data, edit.pointer)
    if not isinstance(current, str):
        return False
    if not current and edit.op in ("append", "prepend"):
        return False  # a separator or stop added to an empty text would hide that it is empty
    new = current
    if edit.op == "append":
        if not current.endswith(edit.value):
            new = current + edit.value[_overlap(current, edit.value) :]
    elif edit.op == "prepend":
        if not current.startswith(edit.value):
            new = edit.value + current
    elif edit.op == "remove-prefix":
        prefix = edit.value
        if current.startswith(prefix) and len(current) > len(prefix):
            rest = current[len(prefix) :]
            keep_space = bool(edit.old) and prefix.startswith(" ") and not rest.startswith(" ")
            new = (" " if keep_space else "") + rest
    elif edit.op == "lowercase":
        new = current.lower()
    elif edit.op == "strip":
        new = strip_surrounding(current)
    elif edit.op == "remove-invisible":
        new = remove_debris(current)
    if new == current:
        return False
    return jp.assign(data, edit.pointer, new)


def _overlap(text: str, suffix: str) -> int:
    """How much of ``suffix``'s start ``text`` already ends with, counting only punctuation
    and whitespace: ``3+3=`` gains `` ->`` of the separator ``= ->``, not ``= ->`` again."""
    for k in range(min(len(text), len(suffix) - 1), 0, -1):
        head = suffix[:k]
        if text.endswith(head) and not any(ch.isalnum() for ch in head):
            return k
    return 0


def strip_surrounding(text: str) -> str:
    """``text`` without the whitespace around it that no reader would miss.

    Trailing whitespace and leading blank lines go. The first line's indentation goes only
    when no later line is indented: in code or a nested list it is structure, and removing
    it from the first line alone would change what the text says.
    """
    text = text.rstrip()
    body = text.lstrip()
    lead = text[: len(text) - len(body)]
    if "\n" in lead:
        text = text[lead.rfind("\n") + 1 :]
        lead = lead[lead.rfind("\n") + 1 :]
    if lead and not any(line[:1] in (" ", "\t") for line in body.split("\n")[1:] if line.strip()):
        text = body
    return text


def apply_edit(data: dict[str, Any], edit: Edit) -> bool:
    """Apply one edit in place; True if the record changed. ``drop-record`` is the caller's job."""
    op = edit.op
    if op in ("append", "prepend", "remove-prefix", "lowercase", "strip", "remove-invisible"):
        return _text_op(data, edit)
    if op == "set":
        if jp.resolve(data, edit.pointer) == edit.old and edit.old != edit.value:
            return jp.assign(data, edit.pointer, copy.deepcopy(edit.value))
        return False
    if op == "stringify":
        current = jp.resolve(data, edit.pointer)
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            return False
        return jp.assign(data, edit.pointer, _number_text(current))
    if op in ("rename-key", "delete-key"):
        found = jp.parent(data, edit.pointer)
        if found is None or not isinstance(found[0], dict) or found[1] not in found[0]:
            return False
        node, key = found
        if op == "delete-key":
            del node[key]
            return True
        if edit.value in node:
            return False
        # Rebuild to keep the key in its original position.
        items = [(edit.value if k == key else k, v) for k, v in node.items()]
        node.clear()
        node.update(items)
        return True
    if op == "truncate-list":
        current = jp.resolve(data, edit.pointer)
        if not isinstance(current, list) or len(current) != edit.old:
            return False
        del current[edit.value :]
        return True
    if op == "merge-next":
        found = jp.parent(data, edit.pointer)
        if found is None or not isinstance(found[0], list):
            return False
        items, token = found
        i = int(token)
        if i + 1 >= len(items):
            return False
        a, b = items[i], items[i + 1]
        if not (isinstance(a, dict) and isinstance(b, dict)) or a.get("role") != b.get("role"):
            return False
        if not isinstance(a.get("content"), str) or not isinstance(b.get("content"), str):
            return False
        a["content"] = a["content"] + (edit.value or "\n\n") + b["content"]
        del items[i + 1]
        return True
    if op in OPS:
        return False  # drop-record and the file-level operations are the fixer's job
    raise ValueError(f"unknown edit operation {op!r}; known: {', '.join(OPS)}")


def preview(data: dict[str, Any], fix: Fix) -> dict[str, Any] | None:
    """The record as the fix would leave it (None if it drops it); ``data`` is not touched.

    What ``ftprep review`` shows as "after": the same edits the fixer applies, on a copy.
    """
    if fix.drops:
        return None
    after = copy.deepcopy(data)
    for edit in fix.edits:
        apply_edit(after, edit)
    return after


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)
    return repr(value) if isinstance(value, float) else str(value)
