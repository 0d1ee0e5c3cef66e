"""``ftprep review``: the Textual app. It shows findings and records decisions; saving hands
the decisions to the core fixer as a fix plan, so the app never edits a record itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import BindingType

from ftprep.core.errors import FtprepError
from ftprep.core.fixplan import Decision
from ftprep.tui.keys import ACTIONS, binding, binding_id
from ftprep.tui.screens import ConfirmScreen, HelpScreen, SummaryScreen
from ftprep.tui.session import ReviewSession, SaveOutcome


class ReviewApp(App[None]):
    """Summary → rule → finding; decisions are kept in the session until ``s`` saves them."""

    CSS_PATH = "review.tcss"
    TITLE = "ftprep review"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        binding("accept_safe"),
        binding("undo"),
        binding("save"),
        binding("quit"),
        binding("help"),
    ]

    def __init__(self, session: ReviewSession, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.session = session
        self._keymap_config = keymap or {}
        self.loaded = False
        self.last_save: SaveOutcome | None = None

    def on_mount(self) -> None:
        if self._keymap_config:
            self.set_keymap(self._keymap_config)
        self.sub_title = self.session.path
        self.push_screen(SummaryScreen())  # which starts the lint once mounted

    # -- loading in a thread: the screen is up before the lint starts --------------------
    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        try:
            self.session.load(progress=self._from_thread_progress)
        except FtprepError as exc:
            self.call_from_thread(self._summary().show_error, str(exc))
            return
        except Exception as exc:  # an internal error: say so on screen, not as a traceback
            message = f"internal error: {type(exc).__name__}: {exc}"
            self.call_from_thread(self._summary().show_error, message)
            return
        self.call_from_thread(self._loaded)

    def _from_thread_progress(self, stage: str, fraction: float) -> None:
        self.call_from_thread(self._summary().show_progress, stage, fraction)

    def _summary(self) -> SummaryScreen:
        for screen in self.screen_stack:
            if isinstance(screen, SummaryScreen):
                return screen
        raise LookupError("no summary screen")  # pragma: no cover - pushed on mount

    def _loaded(self) -> None:
        self.loaded = True
        self._summary().show_loaded()

    def _refresh(self) -> None:
        refresh = getattr(self.screen, "refresh_view", None)
        if refresh is not None:
            refresh()

    # -- decisions shared by both screens -------------------------------------------------
    def decide_rule(self, code: str, decision: Decision, then: Callable[[], None]) -> None:
        s = self.session
        if not s.fixable_in(code):
            self.notify(f"{code} has no fix to {decision.value}", severity="warning")
            return
        unsafe = s.unsafe_in(code)
        if decision is Decision.ACCEPT and unsafe:

            def answered(yes: bool | None) -> None:
                if yes:
                    s.decide_rule(code, decision)
                    then()

            self.push_screen(
                ConfirmScreen(
                    f"Accept {_fixes(s.fixable_in(code))} of {code}? "
                    + (f"{unsafe:,} of them are" if s.fixable_in(code) > 1 else "It is")
                    + " unsafe: it changes the training signal (drops or merges records)."
                ),
                answered,
            )
            return
        s.decide_rule(code, decision)
        then()

    def action_accept_safe(self) -> None:
        if not self.loaded:
            return
        if self.session.accept_all_safe():
            self.notify("Every safe fix accepted (your rejections still stand).")
        self._refresh()

    def action_undo(self) -> None:
        if self.session.undo():
            self.notify("Undone.")
        else:
            self.notify("Nothing to undo.", severity="warning")
        self._refresh()

    # -- saving and leaving ---------------------------------------------------------------
    def action_save(self) -> None:
        if not self.loaded:
            self.notify("Still linting; save when it is done.", severity="warning")
            return
        self.notify(f"Saving to {self.session.output}…")
        self.save()

    @work(thread=True, exclusive=True, group="save")
    def save(self) -> None:
        try:
            outcome = self.session.save()
        except (FtprepError, OSError) as exc:
            self.call_from_thread(self.notify, f"Save failed: {exc}", severity="error")
            return
        self.call_from_thread(self._saved, outcome)

    def _saved(self, outcome: SaveOutcome) -> None:
        self.last_save = outcome
        applied = sum(outcome.applied.values())
        message = (
            f"Saved {outcome.written:,} of {outcome.read:,} records to {outcome.output} "
            f"({applied:,} fixes applied"
        )
        if outcome.rejected:
            message += f", {outcome.rejected:,} dropped to {outcome.rejected_path}"
        message += f"). Fix plan: {outcome.plan_path}"
        if outcome.ignored_added:
            message += f". {outcome.ignored_added:,} findings added to {outcome.baseline_path}"
        self.notify(message, timeout=8)
        self._refresh()

    def action_quit(self) -> None:  # type: ignore[override]  # Textual also runs plain actions
        if not self.session.dirty:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmScreen("Quit without saving your decisions?"), answered)

    def action_help(self) -> None:
        keys = [("enter", "open the rule under the cursor"), ("escape", "back to the summary")]
        for name, action in ACTIONS.items():
            key = self._keymap.get(binding_id(name), action.key)
            keys.append((key.replace("question_mark", "?").replace("slash", "/"), action.help))
        self.push_screen(HelpScreen(keys))

    def on_unmount(self) -> None:
        self.session.close()


def _fixes(n: int) -> str:
    return "the fix" if n == 1 else f"all {n:,} fixes"
