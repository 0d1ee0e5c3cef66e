"""How a record looks in the review: readable blocks, visible whitespace, and diffs.

A person must *see* what a whitespace fix changes, so trailing spaces become ``·``, line
breaks ``↵``, tabs ``→`` and invisible characters a named marker such as ``⟨ZWSP⟩``. Records
are shown as blocks (one per message or field) rather than as raw JSON, and a fix is shown
as the before and after of those blocks with the changed characters highlighted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

import orjson
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

MARK = "dim"
HIGHLIGHT = "on #4a3b00"
REMOVED = "bold #ffffff on #8b1a1a"
ADDED = "bold #000000 on #5fd75f"
HEADER = "bold #87afd7"

_NAMES = {
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u2060": "WJ",
    "\ufeff": "BOM",
    "\u00ad": "SHY",
    "\u00a0": "NBSP",
    "\u202f": "NNBSP",
    "\u2007": "FIGSP",
    "\u200e": "LRM",
    "\u200f": "RLM",
}


@dataclass(frozen=True)
class Block:
    """One message or field of a record: where it is, what to call it, and its text.

    ``structure`` marks JSON the review lays out itself (tool calls, nested fields): its
    indentation and line breaks are layout, not data, and are not drawn as marks.
    """

    pointer: str
    label: str
    text: str
    structure: bool = False


def _invisible_name(ch: str) -> str | None:
    if ch in _NAMES:
        return _NAMES[ch]
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf") and ch not in "\n\t":
        return f"U+{ord(ch):04X}"
    return None


def visible(
    text: str,
    style: str = "",
    marks: Sequence[tuple[int, int, str]] = (),
    structure: bool = False,
) -> Text:
    """Text with its whitespace and invisible characters drawn as marks.

    Spaces inside a line stay spaces (so prose reads normally); spaces at the start or end
    of a line, runs of two or more, and spaces inside a ``marks`` range (``(start, end,
    style)`` over ``text``, for a diff) become ``·``. In ``structure`` (JSON laid out by the
    review) only marked spaces and invisible characters are drawn: its indentation and line
    breaks are layout.
    """
    styles = [style] * len(text)
    for start, end, mark in marks:
        for k in range(start, end):
            styles[k] = mark
    shown = [False] * len(text) if structure else _shown_spaces(text)
    out = Text()
    for k, ch in enumerate(text):
        marked = styles[k] != style
        glyph_style = styles[k] if marked else f"{style} {MARK}".strip()
        if ch == "\n":
            if not structure or marked:
                out.append("↵", glyph_style)
            out.append("\n")
        elif ch == " ":
            out.append(
                "·" if (shown[k] or marked) else " ", glyph_style if shown[k] or marked else style
            )
        elif ch == "\t":
            out.append("→", glyph_style)
        elif (name := _invisible_name(ch)) is not None:
            out.append(f"⟨{name}⟩", styles[k] if marked else f"{style} bold magenta".strip())
        else:
            out.append(ch, styles[k])
    return out


def _shown_spaces(text: str) -> list[bool]:
    """Which spaces to draw: leading or trailing in their line, or in a run of two or more."""
    shown = [False] * len(text)
    pos = 0
    for line in text.split("\n"):
        n = len(line)
        lead = n - len(line.lstrip(" "))
        trail = n - len(line.rstrip(" "))
        for k in range(n):
            if line[k] != " ":
                continue
            run = (k > 0 and line[k - 1] == " ") or (k + 1 < n and line[k + 1] == " ")
            if k < lead or k >= n - trail or run:
                shown[pos + k] = True
        pos += n + 1
    return shown


def _json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")


def blocks(value: Any) -> list[Block]:
    """A record as blocks: chat messages one by one, other fields by name."""
    if not isinstance(value, dict):
        return [Block("", "unreadable line", value if isinstance(value, str) else _json(value))]
    out: list[Block] = []
    for key, item in value.items():
        pointer = "/" + key.replace("~", "~0").replace("/", "~1")
        if isinstance(item, dict) and isinstance(item.get("messages"), list):
            out += _messages(f"{pointer}/messages", f"{key}.messages", item["messages"])
            rest = {k: v for k, v in item.items() if k != "messages"}
            if rest:
                out.append(Block(pointer, key, _json(rest), structure=True))
        elif isinstance(item, list) and _is_messages(key, item):
            out += _messages(pointer, key, item)
        elif isinstance(item, str):
            out.append(Block(pointer, key, item))
        else:
            out.append(Block(pointer, key, _json(item), structure=True))
    return out


def _is_messages(key: str, items: list[Any]) -> bool:
    return key == "messages" or (
        bool(items) and all(isinstance(m, dict) for m in items) and any("role" in m for m in items)
    )


def _messages(pointer: str, label: str, messages: list[Any]) -> list[Block]:
    out = []
    for i, message in enumerate(messages):
        where = f"{pointer}/{i}"
        if not isinstance(message, dict):
            out.append(Block(where, f"{label}[{i}]", _json(message)))
            continue
        role = message.get("role", "?")
        content = message.get("content")
        extra = {k: v for k, v in message.items() if k not in ("role", "content")}
        name = f"{label}[{i}] {role}"
        if isinstance(content, str):
            out.append(Block(where, name, content))
        elif content is not None:  # content parts
            out.append(Block(where, name, _json(content), structure=True))
        elif not extra:
            out.append(Block(where, name, ""))
        if extra:  # tool calls, names, weights: laid out as JSON beside the text
            out.append(Block(where, f"{name} {', '.join(extra)}", _json(extra), structure=True))
    return out


def _covers(block_pointer: str, pointer: str | None) -> bool:
    """Whether the finding's pointer falls in this block (or the block in the pointer)."""
    if pointer is None or pointer == "":
        return False
    return (
        pointer == block_pointer
        or pointer.startswith(block_pointer + "/")
        or block_pointer.startswith(pointer + "/")
    )


def render_record(value: Any, pointer: str | None = None) -> Group:
    """The record as blocks, the block the finding points at highlighted."""
    out: list[RenderableType] = []
    for block in blocks(value):
        hit = _covers(block.pointer, pointer)
        body = visible(block.text, HIGHLIGHT if hit else "", structure=block.structure)
        _block(out, block.label, body, "▶ " if hit else "")
    return Group(*out)


def render_diff(before: Any, after: Any) -> tuple[Group, Group]:
    """The before and after of a fix, with removed and added characters highlighted."""
    if after is None:
        dropped = Text("the whole record is dropped\n(it goes to the rejected file)", REMOVED)
        return render_record(before), Group(dropped)
    a, b = blocks(before), blocks(after)
    left: list[RenderableType] = []
    right: list[RenderableType] = []
    matcher = SequenceMatcher(None, [(x.label, x.text) for x in a], [(x.label, x.text) for x in b])
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for x in a[i1:i2]:
                _block(left, x.label, visible(x.text, structure=x.structure))
                _block(right, x.label, visible(x.text, structure=x.structure))
        elif tag == "replace" and i2 - i1 == j2 - j1:
            for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
                old, new = _char_diff(x.text, y.text, x.structure and y.structure)
                _block(left, x.label, old, "● ")
                _block(right, y.label, new, "● ")
        else:
            for x in a[i1:i2]:
                _block(left, x.label, visible(x.text, REMOVED, structure=x.structure), "● ")
            for y in b[j1:j2]:
                _block(right, y.label, visible(y.text, ADDED, structure=y.structure), "● ")
    return Group(*left), Group(*right)


def _block(out: list[RenderableType], label: str, body: Text, mark: str = "") -> None:
    """A block's label (marked when it changed or is the finding's) over its indented text."""
    out.append(Text((mark or "  ") + label, HEADER))
    out.append(Padding(body, (0, 0, 0, 4)))


def _char_diff(old: str, new: str, structure: bool = False) -> tuple[Text, Text]:
    """Character-level diff of two texts: spans removed from ``old``, added to ``new``."""
    removed: list[tuple[int, int, str]] = []
    added: list[tuple[int, int, str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            removed.append((i1, i2, REMOVED))
            added.append((j1, j2, ADDED))
    return (
        visible(old, marks=removed, structure=structure),
        visible(new, marks=added, structure=structure),
    )
