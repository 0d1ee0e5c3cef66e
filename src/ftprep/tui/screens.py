"""The review's screens: the summary, one rule's findings with the diff, and two modals."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, ProgressBar, Static

from ftprep.core.fix import Applicability
from ftprep.core.fixplan import Decision
from ftprep.tui.finding_list import FindingList
from ftprep.tui.keys import binding
from ftprep.tui.render import render_diff, render_record
from ftprep.tui.session import IGNORED, ReviewSession

if TYPE_CHECKING:
    from ftprep.tui.host import ReviewHost

NARROW = 110  # below this width the before/after panes stack


class SummaryScreen(Screen[None]):
    """File, records, tokens, cost, and the findings grouped by rule."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Help, save and undo first: on an 80-column footer they must stay in sight.
        binding("help", "app.help"),
        binding("save", "app.save"),
        binding("undo", "app.undo"),
        Binding("enter", "open_rule", "Open", show=True),
        binding("accept_rule"),
        binding("reject_rule"),
        binding("next", "open_rule", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Linting…", id="summary")
        yield ProgressBar(total=100, show_eta=False, id="progress")
        yield DataTable(id="rules", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    @property
    def session(self) -> ReviewSession:
        return self.review_app.session

    @property
    def review_app(self) -> ReviewHost:
        return self.app  # type: ignore[return-value]  # Textual types it as the base App

    def on_mount(self) -> None:
        table = self.query_one("#rules", DataTable)
        table.add_columns("Code", "Rule", "Severity", "Findings", "Fixable", "✓", "✗", "⊘")
        # The lint starts once the table can take its rows (it may finish very fast).
        self.review_app.load()

    def show_progress(self, stage: str, fraction: float) -> None:
        self.query_one("#summary", Static).update(f"{stage.capitalize()}… {self.session.path}")
        self.query_one("#progress", ProgressBar).update(progress=round(fraction * 100))

    def show_error(self, message: str) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.query_one("#summary", Static).update(Text(f"Cannot review: {message}", "bold red"))

    def show_loaded(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self.refresh_summary()
        table = self.query_one("#rules", DataTable)
        table.focus()

    def refresh_summary(self) -> None:
        s = self.session
        self.query_one("#summary", Static).update(summary_table(s))
        table = self.query_one("#rules", DataTable)
        row = table.cursor_row
        table.clear()
        for r in s.rule_rows():
            fixable = f"{r.fixable:,}" + (f" ({r.unsafe:,} unsafe)" if r.unsafe else "")
            table.add_row(
                r.code,
                r.name,
                Text(r.severity.value, _SEVERITY_STYLE[r.severity.value]),
                f"{r.count:,}",
                fixable if r.fixable else "–",
                f"{r.accepted:,}",
                f"{r.rejected:,}",
                f"{r.ignored:,}",
                key=r.code,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    def on_screen_resume(self) -> None:
        if self.session.loaded:
            self.refresh_summary()

    def _highlighted_rule(self) -> str | None:
        table = self.query_one("#rules", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_open_rule(self) -> None:
        code = self._highlighted_rule()
        if code is not None:
            self.app.push_screen(FindingsScreen(code))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(FindingsScreen(str(event.row_key.value)))

    def action_accept_rule(self) -> None:
        code = self._highlighted_rule()
        if code is not None:
            self.review_app.decide_rule(code, Decision.ACCEPT, self.refresh_summary)

    def action_reject_rule(self) -> None:
        code = self._highlighted_rule()
        if code is not None:
            self.review_app.decide_rule(code, Decision.REJECT, self.refresh_summary)

    def refresh_view(self) -> None:
        self.refresh_summary()


_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def summary_table(s: ReviewSession) -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    files = s.path + (f"  (validation: {s.valid})" if s.valid else "")
    grid.add_row("File", files)
    if s.loaded:
        layout = f"  ({s.layout})" if s.layout else ""
        grid.add_row("Records", f"{s.records:,}{layout}")
    tk = s.token_summary
    if tk:
        grid.add_row(
            "Tokens",
            f"{tk['tokens']:,} ({tk['encoding']}, {tk['model']}); "
            f"median {tk['median']:,}, max {tk['max']:,} per example",
        )
        grid.add_row(
            "Cost",
            f"about ${tk['estimated_cost_usd']:,.2f} for {tk['epochs']} "
            f"epoch{'s' if tk['epochs'] != 1 else ''} "
            f"(${tk['price_per_million']:.2f}/1M tokens, price read {tk['price_read']})",
        )
    n = len(s.findings)
    decided = "" if not s.dirty else "  · unsaved decisions"
    plan = "  · every safe fix accepted" if s.state.default == "safe" else ""
    rules = len(s.by_rule)
    grid.add_row("Findings", f"{n:,} in {rules} rule{'s' if rules != 1 else ''}{plan}{decided}")
    grid.add_row("Saves to", s.output)
    return grid


class FindingsScreen(Screen[None]):
    """One rule's findings (virtual list, filterable) over the selected one's record or diff."""

    BINDINGS: ClassVar[list[BindingType]] = [
        binding("help", "app.help"),
        binding("save", "app.save"),
        binding("undo", "app.undo"),
        binding("accept"),
        binding("reject"),
        # A and X act on the whole rule: in the help (?) and on the summary's footer, kept
        # off this one so that Back, All safe and Quit fit on 80 columns.
        binding("accept_rule", show=False),
        binding("reject_rule", show=False),
        binding("ignore"),
        binding("filter"),
        binding("next", show=False),
        binding("previous", show=False),
        Binding("escape", "back", "Back", show=True),
        Binding("down", "to_list", "List", show=False),
    ]

    def __init__(self, code: str) -> None:
        super().__init__()
        self.code = code

    @property
    def review_app(self) -> ReviewHost:
        return self.app  # type: ignore[return-value]  # Textual types it as the base App

    @property
    def session(self) -> ReviewSession:
        return self.review_app.session

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="rule-title")
        yield Input(
            placeholder="filter: text of the record, line, pointer or message (esc closes, ↓ list)",
            id="filter",
        )
        yield FindingList(self.session, id="findings")
        with VerticalScroll(id="detail"):
            yield Static(id="location")
            with Horizontal(id="diff"):
                with Vertical(classes="pane"):
                    yield Label("Before", classes="pane-title", id="before-title")
                    yield Static(id="before")
                with Vertical(classes="pane", id="after-pane"):
                    yield Label("After", classes="pane-title")
                    yield Static(id="after")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.sub_title = self.code
        self.query_one(FindingList).set_rows(self.session.matching(self.code, ""))
        self.query_one(FindingList).focus()
        self._title()
        self._layout(self.size.width)

    def on_resize(self) -> None:
        self._layout(self.size.width)

    def _layout(self, width: int) -> None:
        self.query_one("#diff").set_class(width < NARROW, "narrow")

    def _title(self) -> None:
        s = self.session
        indexes = s.by_rule.get(self.code, [])
        first = s.findings[indexes[0]] if indexes else None
        shown = len(self.query_one(FindingList).rows)
        name = first.name if first else ""
        text = Text.assemble(
            (f" {self.code} ", "bold reverse"),
            f" {name} · {shown:,} of {len(indexes):,} findings · ",
            (f"{s.fixable_in(self.code):,} fixable", "green"),
        )
        unsafe = s.unsafe_in(self.code)
        if unsafe:
            text.append(f" ({unsafe:,} unsafe)", "red")
        self.query_one("#rule-title", Static).update(text)

    # -- detail ----------------------------------------------------------------------------
    def on_finding_list_highlighted(self, event: FindingList.Highlighted) -> None:
        self.show_detail(event.index)

    def show_detail(self, i: int | None) -> None:
        location = self.query_one("#location", Static)
        before = self.query_one("#before", Static)
        after = self.query_one("#after", Static)
        after_pane = self.query_one("#after-pane")
        if i is None:
            location.update("No findings match.")
            before.update("")
            after.update("")
            after_pane.display = False
            return
        s = self.session
        d = s.findings[i]
        location.update(finding_header(s, i))
        fix = d.fix
        if fix is None or fix.applicability is Applicability.DISPLAY_ONLY:
            after_pane.display = False
            self.query_one("#before-title", Label).update("Record")
            if d.record is None:
                before.update(Text("This finding is about the file as a whole.", "italic"))
            else:
                before.update(render_record(s.record_of(i), d.pointer))
            after.update("")
            return
        old, new = s.preview(i)
        left, right = render_diff(old, new)
        after_pane.display = True
        self.query_one("#before-title", Label).update(
            "Before" if d.record is not None else "Before (first record, as an example)"
        )
        before.update(left)
        after.update(right)

    def refresh_view(self) -> None:
        finding_list = self.query_one(FindingList)
        finding_list.refresh()
        self.show_detail(finding_list.current)
        self._title()

    # -- actions ---------------------------------------------------------------------------
    def _current(self) -> int | None:
        return self.query_one(FindingList).current

    def _decide(self, decision: Decision) -> None:
        i = self._current()
        if i is None:
            return
        reason = self.session.can_apply(i)
        if reason is not None:
            self.notify(reason, severity="warning")
            return
        self.session.decide(i, decision)
        self.query_one(FindingList).move(1)
        self.refresh_view()

    def action_accept(self) -> None:
        self._decide(Decision.ACCEPT)

    def action_reject(self) -> None:
        self._decide(Decision.REJECT)

    def action_accept_rule(self) -> None:
        self.review_app.decide_rule(self.code, Decision.ACCEPT, self.refresh_view)

    def action_reject_rule(self) -> None:
        self.review_app.decide_rule(self.code, Decision.REJECT, self.refresh_view)

    def action_ignore(self) -> None:
        i = self._current()
        if i is None:
            return
        self.session.ignore(i)
        if self.session.decision(i) == IGNORED:
            self.query_one(FindingList).move(1)
        self.refresh_view()

    def action_next(self) -> None:
        self.query_one(FindingList).move(1)

    def action_previous(self) -> None:
        self.query_one(FindingList).move(-1)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one(FindingList).set_rows(self.session.matching(self.code, event.value))
        self._title()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # The filter keeps the keyboard: letters typed after Enter must not accept or
        # reject fixes. ↓ (or Tab) moves to the list, Esc closes the filter.
        if not event.value:
            event.input.display = False
            self.query_one(FindingList).focus()

    def action_to_list(self) -> None:
        self.query_one(FindingList).focus()

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus:
            box.value = ""
            box.display = False
            self.query_one(FindingList).focus()
            return
        self.app.pop_screen()


def finding_header(s: ReviewSession, i: int) -> Text:
    """Where the finding is, what it says, its fix and the decision so far."""
    d = s.findings[i]
    where = d.file + (f" [{d.sheet}]" if d.sheet else "")
    where += f":{d.line}" if d.line is not None else ""
    text = Text.assemble((where, "bold"))
    if d.pointer:
        text.append(f"  {d.pointer}", "cyan")
    if d.column:
        text.append(f"  column {d.column!r}", "cyan")
    text.append(f"  {d.severity.value}", _SEVERITY_STYLE[d.severity.value])
    text.append(f"\n{d.message}")
    fix = d.fix
    if fix is not None:
        kind = fix.applicability.value
        style = {"safe": "green", "unsafe": "bold red", "display-only": "dim"}[kind]
        text.append("\nFix: ", "bold")
        text.append(f"{fix.title} ", "")
        text.append(f"[{kind}]", style)
    decision = s.decision(i)
    if fix is None and decision is None:
        text.append("\nNo fix: change the data by hand, or ignore it with i.", "dim")
        return text
    label = {
        "accept": ("accepted", "bold green"),
        "reject": ("rejected", "bold red"),
        IGNORED: ("ignored (goes to the baseline)", "yellow"),
        None: ("undecided", "dim"),
    }[decision]
    text.append("   Decision: ", "bold")
    text.append(*label)
    return text


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question; dismisses with True for yes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n", "answer(False)", "No"),
        Binding("escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="question")
            with Horizontal(id="buttons"):
                yield Button("Yes (y)", variant="error", id="yes")
                yield Button("No (n)", variant="primary", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class HelpScreen(ModalScreen[None]):
    """Every key, as currently bound (config rebinds show here)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        table = Table(title="ftprep review keys", show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold cyan")
        table.add_column()
        for key, description in self.keys:
            table.add_row(key, description)
        table.add_row("", "")
        table.add_row("✓ ✗ ⊘ ·", "accepted, rejected, ignored, undecided")
        table.add_row("[*] [!]", "safe fix, unsafe fix")
        with Vertical(id="dialog"):
            yield Static(table)
            yield Label('Rebind in ftprep.toml: [review.keys] accept = "y"', id="hint")

    def action_close(self) -> None:
        self.dismiss(None)
