"""Pilot tests: the real review app on a file with planted problems, driven by key presses."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import orjson
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from ftprep.core.baseline import Baseline
from ftprep.core.diagnostic import Diagnostic, Severity
from ftprep.core.errors import ConfigError
from ftprep.core.fix import Applicability, Fix, TextEdit
from ftprep.session import build_options
from ftprep.tui.app import ReviewApp
from ftprep.tui.finding_list import FindingList
from ftprep.tui.keys import load_keymap
from ftprep.tui.screens import ConfirmScreen, FindingsScreen, HelpScreen, SummaryScreen
from ftprep.tui.session import ReviewSession
from tests.conftest import INPUTS, run_cli
from tests.review_data import write_planted
from tests.test_review_render import plain


def _lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _text(widget: Static, width: int = 120) -> str:
    return plain(widget.content, width)


def make_app(path: str = "train.jsonl", **kwargs: object) -> ReviewApp:
    keymap = kwargs.pop("keymap", None)
    options = build_options(baseline="ftprep-baseline.json", **kwargs)  # type: ignore[arg-type]
    return ReviewApp(ReviewSession(path, options), keymap=keymap)  # type: ignore[arg-type]


async def until(pilot: Pilot, done: Callable[[], bool], what: str) -> None:
    for _ in range(400):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def open_rule(pilot: Pilot, code: str) -> FindingsScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, SummaryScreen), "the summary")
    table = app.screen.query_one("#rules", DataTable)
    table.move_cursor(row=table.get_row_index(code))
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, FindingsScreen), f"{code}'s findings")
    screen = app.screen
    assert isinstance(screen, FindingsScreen) and screen.code == code
    return screen


def run(app: ReviewApp, scenario: Callable[[Pilot], Awaitable[None]], size=(120, 40)) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: app.loaded, "the lint")
            await scenario(pilot)

    asyncio.run(main())


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_planted(tmp_path / "train.jsonl")


def test_summary_lists_rules_with_counts_tokens_and_cost(planted: Path) -> None:
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        table = app.screen.query_one("#rules", DataTable)
        rows = {table.get_row_at(i)[0]: table.get_row_at(i) for i in range(table.row_count)}
        assert set(rows) == {"DP001", "SC008", "SC010", "SC016", "WS002", "WS003"}
        assert rows["WS002"][3] == "3" and rows["WS002"][4] == "3"
        assert rows["SC010"][4] == "1 (1 unsafe)"
        assert rows["SC016"][4] == "–"
        summary = _text(app.screen.query_one("#summary", Static))
        assert "Records   12" in summary
        assert "o200k_base" in summary and "about $" in summary

    run(app, scenario)


def test_accept_reject_undo_save_and_replay_byte_identical(planted: Path) -> None:
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        screen = await open_rule(pilot, "WS002")
        rows = screen.query_one(FindingList).rows
        assert [app.session.findings[i].line for i in rows] == [2, 5, 8]
        await pilot.press("a", "x", "a")  # accept L2, reject L5, accept L8 ...
        await pilot.press("u")  # ... and take L8 back
        assert [app.session.decision(i) for i in rows] == ["accept", "reject", None]
        await pilot.press("escape")
        await open_rule(pilot, "WS003")
        await pilot.press("A")  # safe fixes only: no question asked
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        await open_rule(pilot, "SC010")
        await pilot.press("A")  # unsafe: the modal asks first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.press("escape")
        await open_rule(pilot, "SC008")
        await pilot.press("X")
        await pilot.press("escape")
        await open_rule(pilot, "DP001")
        await pilot.press("a")
        await pilot.press("s")
        await until(pilot, lambda: app.last_save is not None, "the save")
        assert not app.session.dirty

    run(app, scenario)
    out = _lines(planted.parent / "train.reviewed.jsonl")
    assert len(out) == 11  # line 10, the duplicate, dropped
    assert out[1]["messages"][2]["content"].endswith("manual.")  # L2 accepted
    assert out[4]["messages"][2]["content"].endswith("  ")  # L5 rejected
    assert out[7]["messages"][2]["content"].endswith("  ")  # L8 undone: undecided
    assert all("\u200b" not in r["messages"][1]["content"] for r in out)  # WS003 rule
    assert len(out[9]["messages"]) == 3  # SC010 merged
    assert out[10]["messages"][-1]["role"] == "user"  # SC008 rejected
    rejected = _lines(planted.parent / "train.reviewed.rejected.jsonl")
    assert [(e["source"]["line"], e["reasons"][0]["code"]) for e in rejected] == [(10, "DP001")]
    plan = orjson.loads((planted.parent / "train.fixplan.json").read_bytes())
    assert plan["default"] == "skip"
    assert plan["rules"] == {"SC008": "reject", "SC010": "accept", "WS003": "accept"}
    assert sorted((f["code"], f["decision"]) for f in plan["findings"]) == [
        ("DP001", "accept"),
        ("WS002", "accept"),
        ("WS002", "reject"),
    ]
    # The next data drop: replaying the plan without a person gives the same bytes.
    r = run_cli(
        "lint", "train.jsonl", "--fix", "--plan", "train.fixplan.json", "-o", "replay.jsonl"
    )
    assert r.code == 0, r.err
    assert (planted.parent / "replay.jsonl").read_bytes() == (
        planted.parent / "train.reviewed.jsonl"
    ).read_bytes()
    assert (planted.parent / "replay.rejected.jsonl").read_bytes() == (
        planted.parent / "train.reviewed.rejected.jsonl"
    ).read_bytes()


def test_accept_every_safe_fix_then_the_output_lints_clean_of_those_rules(planted: Path) -> None:
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("F", "s")
        await until(pilot, lambda: app.last_save is not None, "the save")

    run(app, scenario)
    r = run_cli("lint", "train.reviewed.jsonl", "--output-format", "json")
    codes = {d["code"] for d in orjson.loads(r.out)["diagnostics"]}
    assert not codes & {"WS002", "WS003", "DP001"}
    assert {"SC010", "SC008"} <= codes  # unsafe: not part of "every safe fix"


def test_rejecting_the_unsafe_question_changes_nothing(planted: Path) -> None:
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        await open_rule(pilot, "SC010")
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.session.state.rules == {} and not app.session.dirty

    run(app, scenario)


def test_quit_asks_when_decisions_are_unsaved(planted: Path) -> None:
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        await pilot.press("F", "q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.is_running and isinstance(app.screen, SummaryScreen)
        await pilot.press("q", "y")
        await until(pilot, lambda: not app.is_running, "the exit")

    run(app, scenario)
    assert not (planted.parent / "train.reviewed.jsonl").exists()


def test_ignore_writes_the_baseline_and_lint_stops_reporting(planted: Path) -> None:
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        await open_rule(pilot, "SC010")
        await pilot.press("i")
        await pilot.press("s")
        await until(pilot, lambda: app.last_save is not None, "the save")

    run(app, scenario)
    baseline = Baseline.load(str(planted.parent / "ftprep-baseline.json"))
    assert [(e.file, e.code, e.pointer) for e in baseline.entries] == [
        ("train.jsonl", "SC010", "/messages/2")
    ]
    r = run_cli("lint", "train.jsonl", "--output-format", "json")
    assert "SC010" not in {d["code"] for d in orjson.loads(r.out)["diagnostics"]}


def test_filter_narrows_the_list_and_detail_follows(planted: Path) -> None:
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        screen = await open_rule(pilot, "WS002")
        await pilot.press("slash", "5")
        box = screen.query_one("#filter", Input)
        assert box.display and box.value == "5"
        rows = screen.query_one(FindingList).rows
        assert [app.session.findings[i].line for i in rows] == [5]
        assert "train.jsonl:5" in _text(screen.query_one("#location", Static))
        # After Enter the filter keeps the keyboard: a letter typed next is no command.
        await pilot.press("enter", "a")
        assert box.value == "5a" and app.session.decision(rows[0]) is None
        await pilot.press("backspace", "down", "a")  # ↓ hands the keyboard to the list
        assert app.session.decision(rows[0]) == "accept"

    run(app, scenario)


def test_the_filter_searches_the_record_text(planted: Path) -> None:
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        screen = await open_rule(pilot, "WS002")
        shown = [app.session.findings[i] for i in screen.query_one(FindingList).rows]
        word = "kettle"
        wanted = [
            d.line
            for d in shown
            if word in str(app.session.record_of(app.session.findings.index(d)))
        ]
        await pilot.press("slash", *word)
        rows = screen.query_one(FindingList).rows
        assert wanted and [app.session.findings[i].line for i in rows] == wanted
        assert all(word not in app.session.findings[i].message for i in rows)

    run(app, scenario)


def test_before_after_shows_invisible_characters_on_a_small_terminal(planted: Path) -> None:
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        screen = await open_rule(pilot, "WS003")
        assert screen.query_one("#diff").has_class("narrow")  # 80 columns: panes stack
        before = _text(screen.query_one("#before", Static), 78)
        after = _text(screen.query_one("#after", Static), 78)
        assert "my⟨ZWSP⟩ kettle" in before and "⟨ZWSP⟩" not in after
        await pilot.press("escape")
        screen = await open_rule(pilot, "WS002")
        assert "manual.··" in _text(screen.query_one("#before", Static), 78)
        await pilot.press("n")
        assert "train.jsonl:5" in _text(screen.query_one("#location", Static))
        await pilot.press("p")
        assert "train.jsonl:2" in _text(screen.query_one("#location", Static))

    run(app, scenario, size=(80, 24))


def test_wide_terminal_puts_before_and_after_side_by_side(planted: Path) -> None:
    app = make_app()

    async def scenario(pilot: Pilot) -> None:
        screen = await open_rule(pilot, "WS003")
        assert not screen.query_one("#diff").has_class("narrow")
        before, after = screen.query(".pane")
        assert before.region.y == after.region.y and before.region.x < after.region.x

    run(app, scenario, size=(160, 40))


def test_keys_rebind_from_project_config(planted: Path) -> None:
    (planted.parent / "ftprep.toml").write_text('[review.keys]\naccept = "y"\n')
    app = make_app(keymap=load_keymap("train.jsonl"))

    async def scenario(pilot: Pilot) -> None:
        screen = await open_rule(pilot, "WS002")
        first = screen.query_one(FindingList).rows[0]
        await pilot.press("a")
        assert app.session.decision(first) is None
        await pilot.press("y")
        assert app.session.decision(first) == "accept"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert ("y", "accept this finding's fix") in app.screen.keys

    run(app, scenario)
    (planted.parent / "ftprep.toml").write_text('[review.keys]\naccpet = "y"\n')
    with pytest.raises(ConfigError, match="did you mean 'accept'"):
        load_keymap("train.jsonl")


def test_reviews_a_csv_by_converting_it_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(INPUTS.parent.parent)
    out = tmp_path / "tickets.reviewed.jsonl"
    options = build_options(
        mapping={"user": "body", "assistant": "reply"}, to="chat", baseline=str(tmp_path / "b.json")
    )
    session = ReviewSession(
        "fixtures/inputs/tickets.csv", options, output=str(out), plan_path=str(tmp_path / "p.json")
    )
    app = ReviewApp(session)

    async def scenario(pilot: Pilot) -> None:
        first = session.findings[0]
        assert first.file == "fixtures/inputs/tickets.csv"
        await pilot.press("F", "s")
        await until(pilot, lambda: app.last_save is not None, "the save")

    run(app, scenario)
    records = _lines(out)
    assert records and all("messages" in r for r in records)


class _ManyFindings(ReviewSession):
    """A session with 100,000 findings and no lint: the list's cost, nothing else."""

    def load(self, progress=None) -> None:  # type: ignore[no-untyped-def]
        fix = Fix(
            "Strip",
            (TextEdit(action="strip", record=0, pointer="/completion"),),
            Applicability.SAFE,
        )
        self.findings = [
            Diagnostic(
                "WS002",
                "surrounding-whitespace",
                Severity.INFO,
                f"finding {n}",
                "big.jsonl",
                line=n + 1,
                record=n,
                pointer="/completion",
                fix=fix,
            )
            for n in range(100_000)
        ]
        self.keys = [(f"r{n}", "WS002", "/completion") for n in range(100_000)]
        self.by_rule = {"WS002": list(range(100_000))}
        self.records = 100_000
        self.loaded = True


def test_hundred_thousand_findings_scroll_in_a_virtual_list(tmp_path: Path) -> None:
    app = ReviewApp(_ManyFindings("big.jsonl", build_options()))

    async def scenario(pilot: Pilot) -> None:
        screen = await open_rule(pilot, "WS002")
        finding_list = screen.query_one(FindingList)
        assert finding_list.virtual_size.height == 100_000
        await pilot.press("end")
        assert finding_list.cursor == 99_999
        height = finding_list.scrollable_content_region.height
        assert finding_list.scroll_offset.y == 100_000 - height
        line = finding_list.render_line(height - 1).text
        assert "L100000" in line and "finding 99999" in line
        await pilot.press("pageup", "pageup")
        assert finding_list.cursor == 99_999 - 2 * (height - 1)
        await pilot.press("a")
        assert app.session.decision(finding_list.rows[finding_list.cursor - 1]) == "accept"

    run(app, scenario)


def test_validation_leaks_are_reviewed_and_dropped_from_the_validation_file(
    planted: Path,
) -> None:
    from tests.review_data import planted_records

    records = planted_records()
    fresh = {
        "messages": [
            {"role": "user", "content": "Does the lid lock?"},
            {"role": "assistant", "content": "Yes, it clicks shut."},
        ]
    }
    valid = planted.parent / "valid.jsonl"
    valid.write_bytes(orjson.dumps(records[3]) + b"\n" + orjson.dumps(fresh) + b"\n")
    options = build_options(baseline="ftprep-baseline.json")
    session = ReviewSession("train.jsonl", options, valid="valid.jsonl")
    app = ReviewApp(session)

    async def scenario(pilot: Pilot) -> None:
        screen = await open_rule(pilot, "DP003")
        leak = screen.query_one(FindingList).current
        assert leak is not None and session.findings[leak].split == "valid"
        await pilot.press("A")
        assert isinstance(app.screen, ConfirmScreen)  # dropping is unsafe
        await pilot.press("y", "s")
        await until(pilot, lambda: app.last_save is not None, "the save")

    run(app, scenario)
    assert _lines(planted.parent / "valid.reviewed.jsonl") == [fresh]
    r = run_cli(
        "lint",
        "train.jsonl",
        "--valid",
        "valid.jsonl",
        "--fix",
        "--plan",
        "train.fixplan.json",
        "-o",
        "replay.jsonl",
        "--valid-output",
        "replay-valid.jsonl",
    )
    assert r.code == 0, r.err
    assert (planted.parent / "replay-valid.jsonl").read_bytes() == (
        planted.parent / "valid.reviewed.jsonl"
    ).read_bytes()
