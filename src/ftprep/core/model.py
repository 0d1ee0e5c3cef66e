"""Records and example kinds.

A record is the JSON object a trainer would read, plus its provenance. Records are plain
slotted dataclasses holding a ``dict`` rather than pydantic models: a data pipeline pushes
a million of them through the linter, and validating each one with pydantic would cost more
than all the rules together. Structural validation is the job of the SC rules, which report
every problem instead of stopping at the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from ftprep.core.rendering import Rendering


class Kind(str, Enum):
    """The three example shapes trainers accept."""

    CHAT = "chat"
    COMPLETION = "completion"
    PREFERENCE = "preference"


ALL_KINDS: frozenset[Kind] = frozenset(Kind)


@dataclass(slots=True)
class Record:
    """One example: its data, its stable index in the input, and its 1-based line or row."""

    index: int
    data: dict[str, Any]
    line: int
    kind: Kind | None = None
    # Filled by the engine when a selected rule needs tokens.
    tokens: int | None = None
    trained_tokens: int | None = None
    # A conversation's tokens per role (the token summary's), counted with the above.
    role_tokens: dict[str, int] | None = None
    # The record's texts as (pointer, text, role), computed once by core.texts.
    texts: list[tuple[str, str, str]] | None = None
    # Keys the reader renamed to what the trainer expects (``Prompt`` read as ``prompt``):
    # canonical name -> the name as written. SC002 reports them; fixing keeps the rename.
    renamed: dict[str, str] | None = None
    # The record's line as read, when the fixer asked for it (to write it back unedited).
    raw: bytes | None = None
    # What the trainer will train on (``--tokenizer``), when a selected rule needs it.
    rendering: Rendering | None = None


def detect_kind(data: dict[str, Any]) -> Kind | None:
    """Tell the example kind from its keys; ``None`` when the keys fit no kind."""
    if "messages" in data:
        return Kind.CHAT
    if "preferred_output" in data or "non_preferred_output" in data:
        return Kind.PREFERENCE
    if "input" in data and isinstance(data.get("input"), dict):
        return Kind.PREFERENCE
    if "prompt" in data or "completion" in data:
        return Kind.COMPLETION
    return None
