"""A virtual list of findings: only the visible rows are ever drawn.

A rule may have 100,000 findings; a widget per row (OptionList, ListView) would take seconds
to build and megabytes to hold. This uses Textual's line API: the list is a height, and
``render_line`` draws row ``y`` on demand from the session.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ftprep.core.fix import Applicability
from ftprep.tui.session import IGNORED, ReviewSession

_MARKS = {
    "accept": ("✓", Style(color="green", bold=True)),
    "reject": ("✗", Style(color="red", bold=True)),
    IGNORED: ("⊘", Style(color="yellow")),
    None: ("·", Style(dim=True)),
}
_SEVERITY = {"error": Style(color="red"), "warning": Style(color="yellow"), "info": Style(dim=True)}
_CURSOR = Style(bgcolor="#264f78")


class FindingList(ScrollView, can_focus=True):
    """The findings of one rule (after the filter), one line each, with a cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    DEFAULT_CSS = """
    FindingList {
        overflow-x: hidden;
    }
    """

    cursor: reactive[int] = reactive(0)

    class Highlighted(Message):
        """The cursor moved to finding ``index`` (an index into the session's findings)."""

        def __init__(self, index: int | None) -> None:
            super().__init__()
            self.index = index

    def __init__(self, session: ReviewSession, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # Textual widget keywords, passed on
        self.session = session
        self.rows: list[int] = []

    # -- content ---------------------------------------------------------------------------
    def set_rows(self, rows: list[int]) -> None:
        self.rows = rows
        self.virtual_size = Size(0, len(rows))
        self.cursor = 0
        self.scroll_to(y=0, animate=False)
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    @property
    def current(self) -> int | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def _describe(self, i: int) -> str:
        d = self.session.findings[i]
        where = f"{d.split}:" if d.split != "train" else ""
        where += f"L{d.line}" if d.line is not None else "file"
        if d.pointer:
            where += f" {d.pointer}"
        return f"{where}  {d.message}"

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.size.width
        if row >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        i = self.rows[row]
        d = self.session.findings[i]
        mark, mark_style = _MARKS[self.session.decision(i)]
        fix = d.fix
        if fix is None:
            tag = "   "
        elif fix.applicability is Applicability.UNSAFE:
            tag = "[!]"
        elif fix.applicability is Applicability.SAFE:
            tag = "[*]"
        else:
            tag = "[-]"
        base = _CURSOR if row == self.cursor and self.has_focus else Style()
        if row == self.cursor and not self.has_focus:
            base = Style(bgcolor="#333333")
        segments = [
            Segment(f" {mark} ", base + mark_style),
            Segment(f"{tag} ", base + _SEVERITY.get(d.severity.value, Style())),
            Segment(self._describe(i).replace("\n", " "), base),
        ]
        strip = Strip(segments).crop(scroll_x, scroll_x + width)
        return strip.adjust_cell_length(width, base)

    # -- cursor ----------------------------------------------------------------------------
    def watch_cursor(self, old: int, new: int) -> None:
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, force=True)
        self.refresh()
        self.post_message(self.Highlighted(self.current))

    def move(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))

    def action_cursor(self, delta: int) -> None:
        self.move(delta)

    def action_page(self, direction: int) -> None:
        self.move(direction * max(1, self.scrollable_content_region.height - 1))

    def action_jump(self, where: int) -> None:
        if self.rows:
            self.cursor = where if where >= 0 else len(self.rows) - 1

    def on_click(self, event: Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.rows):
            self.cursor = row

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self.rows))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
