"""Snapshots (SVG screenshots) of the review: the summary, a finding list, and a diff.

Textual is pinned in the test extra so these stay byte-stable; after an intended change
to the screens, regenerate with ``pytest tests/test_review_snapshots.py --snapshot-update``
and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from ftprep.tui.screens import FindingsScreen
from tests.review_data import write_planted
from tests.test_review_app import make_app, until


@pytest.fixture(autouse=True)
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # relative paths on screen: the same in every checkout
    return write_planted(tmp_path / "train.jsonl")


def _open(code: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await until(pilot, lambda: app.loaded, "the lint")
        table = app.screen.query_one("#rules", DataTable)
        table.move_cursor(row=table.get_row_index(code))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, FindingsScreen), "the findings")
        await pilot.pause()

    return run_before


async def _loaded(pilot: Pilot) -> None:
    await until(pilot, lambda: pilot.app.loaded, "the lint")
    await pilot.pause()


def test_summary_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_loaded)


def test_finding_list_with_decisions(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # Accept the first, reject the second: the list shows ✓ and ✗, the cursor on the third.
    assert snap_compare(
        make_app(), terminal_size=(100, 30), run_before=_open("WS002"), press=["a", "x"]
    )


def test_diff_view_side_by_side(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=(140, 30), run_before=_open("WS003"))


def test_unsafe_record_view_narrow(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_open("SC010"))


def test_unsafe_confirmation_is_not_clipped(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # A on a rule with unsafe fixes asks first; the whole question shows on 80 columns.
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_open("SC010"), press=["A"])
