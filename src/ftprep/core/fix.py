"""Fixes are data: a title, edits, and how safe they are to apply without a person.

An edit is one of a few typed kinds (:class:`TextEdit`, :class:`SetValue`, :class:`Stringify`,
:class:`KeyEdit`, :class:`TruncateList`, :class:`MergeNext`, :class:`DropRecord`,
:class:`FileEdit`), each with fields that say what they hold. Each states its precondition
(the value it expects or the effect it wants), so applying an edit whose record has already
changed does nothing: that is what makes the fixer's re-lint loop converge and makes fixing
twice equal to fixing once.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

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


TextAction = Literal["append", "prepend", "remove-prefix", "lowercase", "strip", "remove-invisible"]
KeyAction = Literal["rename-key", "delete-key"]
FileAction = Literal["strip-bom", "remove-blank-line"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit:
    """One change to one record (``record=None``: to every record of the split), of one of
    a few typed kinds, each naming what it changes: a text, a value, a key, a list, the
    record, or the file.

    Each edit states its precondition (the value it expects or the effect it wants), so it
    is idempotent on its own: applied twice, the second time changes nothing.
    """

    record: int | None
    pointer: str = ""
    split: str = "train"

    @property
    def op(self) -> str:
        """The operation's name in reports, fix logs and fix plans."""
        raise NotImplementedError

    def apply(self, data: dict[str, Any]) -> bool:
        """Apply in place; True if the record changed."""
        raise NotImplementedError

    def _value(self) -> Any:
        return None

    def _old(self) -> Any:
        return None

    def as_dict(self) -> dict[str, Any]:
        """The edit as the JSON report, the fix log and fix plans show it."""
        out: dict[str, Any] = {"op": self.op, "record": self.record, "pointer": self.pointer}
        value, old = self._value(), self._old()
        if value is not None:
            out["value"] = value
        if old is not None:
            out["old"] = old
        if self.split != "train":
            out["split"] = self.split
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class TextEdit(Edit):
    """The string at ``pointer`` changes: ``append`` gains the suffix ``text`` (what of it
    is not already there), ``prepend`` the prefix ``text``, ``remove-prefix`` loses the
    prefix ``text`` (``keep_space`` keeps one leading space), ``lowercase`` is lowercased,
    ``strip`` loses the surrounding whitespace :func:`strip_surrounding` names, and
    ``remove-invisible`` loses invisible debris (a no-break space becomes a space)."""

    action: TextAction
    text: str = ""
    keep_space: bool = False

    @property
    def op(self) -> str:
        return self.action

    def _value(self) -> Any:
        return self.text or None

    def _old(self) -> Any:
        return True if self.keep_space else None

    def apply(self, data: dict[str, Any]) -> bool:
        current = jp.resolve(data, self.pointer)
        if not isinstance(current, str):
            return False
        action, text = self.action, self.text
        if not current and action in ("append", "prepend"):
            return False  # a separator or stop added to an empty text would hide that it is
        new = current
        if action == "append":
            if not current.endswith(text):
                new = current + text[_overlap(current, text) :]
        elif action == "prepend":
            if not current.startswith(text):
                new = text + current
        elif action == "remove-prefix":
            if current.startswith(text) and len(current) > len(text):
                rest = current[len(text) :]
                keep = self.keep_space and text.startswith(" ") and not rest.startswith(" ")
                new = (" " if keep else "") + rest
        elif action == "lowercase":
            new = current.lower()
        elif action == "strip":
            new = strip_surrounding(current)
        elif action == "remove-invisible":
            new = remove_debris(current)
        if new == current:
            return False
        return jp.assign(data, self.pointer, new)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetValue(Edit):
    """The value at ``pointer`` becomes ``value``, if it still is ``expected``."""

    expected: Any
    value: Any

    @property
    def op(self) -> str:
        return "set"

    def _value(self) -> Any:
        return self.value

    def _old(self) -> Any:
        return self.expected

    def apply(self, data: dict[str, Any]) -> bool:
        if jp.resolve(data, self.pointer) == self.expected and self.expected != self.value:
            return jp.assign(data, self.pointer, copy.deepcopy(self.value))
        return False


@dataclass(frozen=True, slots=True, kw_only=True)
class Stringify(Edit):
    """The number at ``pointer`` becomes its text."""

    @property
    def op(self) -> str:
        return "stringify"

    def apply(self, data: dict[str, Any]) -> bool:
        current = jp.resolve(data, self.pointer)
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            return False
        return jp.assign(data, self.pointer, _number_text(current))


@dataclass(frozen=True, slots=True, kw_only=True)
class KeyEdit(Edit):
    """The key at ``pointer`` is renamed to ``new_name`` (if that key is free, keeping its
    place) or deleted."""

    action: KeyAction
    new_name: str | None = None

    @property
    def op(self) -> str:
        return self.action

    def _value(self) -> Any:
        return self.new_name

    def apply(self, data: dict[str, Any]) -> bool:
        found = jp.parent(data, self.pointer)
        if found is None or not isinstance(found[0], dict) or found[1] not in found[0]:
            return False
        node, key = found
        if self.action == "delete-key":
            del node[key]
            return True
        if self.new_name is None or self.new_name in node:
            return False
        items = [(self.new_name if k == key else k, v) for k, v in node.items()]
        node.clear()
        node.update(items)
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class TruncateList(Edit):
    """The list at ``pointer`` is cut to its first ``keep`` items, if it still holds
    ``expected_length``."""

    keep: int
    expected_length: int

    @property
    def op(self) -> str:
        return "truncate-list"

    def _value(self) -> Any:
        return self.keep

    def _old(self) -> Any:
        return self.expected_length

    def apply(self, data: dict[str, Any]) -> bool:
        current = jp.resolve(data, self.pointer)
        if not isinstance(current, list) or len(current) != self.expected_length:
            return False
        del current[self.keep :]
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class MergeNext(Edit):
    """The message at ``pointer`` absorbs the next one's content, joined by ``joiner``
    (messages of the same role only)."""

    joiner: str = "\n\n"

    @property
    def op(self) -> str:
        return "merge-next"

    def _value(self) -> Any:
        return self.joiner

    def apply(self, data: dict[str, Any]) -> bool:
        found = jp.parent(data, self.pointer)
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
        a["content"] = a["content"] + self.joiner + b["content"]
        del items[i + 1]
        return True


@dataclass(frozen=True, slots=True, kw_only=True)
class DropRecord(Edit):
    """The whole record goes to the rejected file, with its reason (the fixer does this)."""

    @property
    def op(self) -> str:
        return "drop-record"

    def apply(self, data: dict[str, Any]) -> bool:
        return False  # the fixer drops the record; there is nothing to edit in it


@dataclass(frozen=True, slots=True, kw_only=True)
class FileEdit(Edit):
    """The output file changes, not a record: ``strip-bom`` writes it without a byte-order
    mark, ``remove-blank-line`` without the blank line numbered ``line`` (the fixer's writer
    does this)."""

    action: FileAction
    line: int | None = None

    @property
    def op(self) -> str:
        return self.action

    def _value(self) -> Any:
        return self.line

    def apply(self, data: dict[str, Any]) -> bool:
        return False


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
        return any(isinstance(e, DropRecord) for e in self.edits)

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "applicability": self.applicability.value,
            "edits": [e.as_dict() for e in self.edits],
        }


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


def preview(data: dict[str, Any], fix: Fix) -> dict[str, Any] | None:
    """The record as the fix would leave it (None if it drops it); ``data`` is not touched.

    What ``ftprep review`` shows as "after": the same edits the fixer applies, on a copy.
    """
    if fix.drops:
        return None
    after = copy.deepcopy(data)
    for edit in fix.edits:
        edit.apply(after)
    return after


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)
    return repr(value) if isinstance(value, float) else str(value)
