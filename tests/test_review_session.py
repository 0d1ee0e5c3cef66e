"""The review's decision model, without the screen: what each key does to the plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.core.fixplan import Decision
from ftprep.session import build_options
from ftprep.tui.session import IGNORED, ReviewSession, default_paths
from tests.conftest import run_cli
from tests.review_data import write_planted


@pytest.fixture
def session(tmp_path: Path) -> ReviewSession:
    train = write_planted(tmp_path / "train.jsonl")
    s = ReviewSession(str(train), build_options(baseline=str(tmp_path / "baseline.json")))
    stages: list[str] = []
    s.load(progress=lambda stage, fraction: stages.append(stage))
    assert stages[-1] == "done"
    yield s
    s.close()


def _of(s: ReviewSession, code: str) -> list[int]:
    return s.by_rule[code]


def test_default_paths_sit_beside_the_input() -> None:
    assert default_paths("data/train.csv") == (
        "data/train.reviewed.jsonl",
        "data/train.fixplan.json",
    )


def test_finding_decision_beats_rule_decision_until_the_rule_is_decided_again(
    session: ReviewSession,
) -> None:
    first, second, third = _of(session, "WS002")
    session.decide(first, Decision.REJECT)
    session.decide_rule("WS002", Decision.ACCEPT)  # a bulk decision resets single ones
    assert [session.decision(i) for i in (first, second, third)] == ["accept"] * 3
    session.decide(second, Decision.REJECT)
    assert [session.decision(i) for i in (first, second, third)] == ["accept", "reject", "accept"]
    session.undo()
    session.undo()
    assert [session.decision(i) for i in (first, second, third)] == ["reject", None, None]


def test_accept_all_safe_leaves_unsafe_fixes_and_rejections(session: ReviewSession) -> None:
    ws = _of(session, "WS002")[0]
    session.decide(ws, Decision.REJECT)
    session.accept_all_safe()
    assert session.decision(ws) == "reject"
    assert session.decision(_of(session, "WS003")[0]) == "accept"
    assert session.decision(_of(session, "SC010")[0]) is None  # unsafe
    assert session.plan().default == "safe"


def test_findings_without_a_fix_cannot_be_accepted(session: ReviewSession) -> None:
    sc016 = _of(session, "SC016")[0]
    assert session.can_apply(sc016) == "this finding has no fix"
    assert not session.decide(sc016, Decision.ACCEPT)
    assert not session.decide_rule("SC016", Decision.ACCEPT)
    assert not session.dirty


def test_ignore_toggles_and_counts_in_the_rule_rows(session: ReviewSession) -> None:
    sc010 = _of(session, "SC010")[0]
    session.ignore(sc010)
    assert session.decision(sc010) == IGNORED
    row = next(r for r in session.rule_rows() if r.code == "SC010")
    assert (row.ignored, row.unsafe, row.fixable) == (1, 1, 1)
    session.ignore(sc010)
    assert session.decision(sc010) is None


def test_undo_back_to_the_start_is_not_dirty(session: ReviewSession) -> None:
    session.accept_all_safe()
    assert session.dirty
    assert session.undo()
    assert not session.dirty and not session.undo()


def test_rule_rows_put_errors_and_warnings_before_info(session: ReviewSession) -> None:
    rows = session.rule_rows()
    assert [r.severity.rank for r in rows] == sorted((r.severity.rank for r in rows), reverse=True)
    assert rows[-1].code == "WS002"


def test_preview_is_the_fix_applied_to_a_copy(session: ReviewSession) -> None:
    i = _of(session, "WS002")[0]
    before, after = session.preview(i)
    assert before["messages"][2]["content"].endswith("  ")
    assert after["messages"][2]["content"] == before["messages"][2]["content"].rstrip()
    assert session.preview(_of(session, "DP001")[0])[1] is None  # dropped
    assert session.record_of(i) == before  # the spool still holds the original


def test_review_command_needs_a_terminal_and_a_file(tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    r = run_cli("review", str(train))
    assert r.code == 2 and "needs a terminal" in r.err and "--plan" in r.err
    r = run_cli("review", "-")
    assert r.code == 2 and "needs a file" in r.err


def test_unreadable_lines_show_their_text_and_their_drop(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}]}\n'
        '{"messages": [broken\n'
    )
    s = ReviewSession(str(bad), build_options(baseline=str(tmp_path / "b.json")))
    s.load()
    i = s.by_rule["IO002"][0]
    assert s.preview(i) == ('{"messages": [broken', None)
    s.close()


def test_an_unreadable_file_cannot_be_saved(tmp_path: Path) -> None:
    from ftprep.core.errors import UsageError

    bad = tmp_path / "bad.jsonl"
    bad.write_bytes('{"prompt": "a"}\n'.encode("utf-16"))  # unreadable as a whole
    s = ReviewSession(str(bad), build_options(baseline=str(tmp_path / "b.json")))
    s.load()
    assert list(s.by_rule) == ["IO001"]
    with pytest.raises(UsageError, match="could not be read"):
        s.save()
    assert not (tmp_path / "bad.reviewed.jsonl").exists()
    s.close()


def test_a_fix_for_every_record_is_previewed_on_the_first(tmp_path: Path) -> None:
    from tests.conftest import INPUTS

    options = build_options(
        mapping={"prompt": "Question", "completion": "Answer"},
        sheet="faq",
        baseline=str(tmp_path / "b.json"),
    )
    s = ReviewSession(
        str(INPUTS / "faq_two_sheets.xlsx"), options, output=str(tmp_path / "o.jsonl")
    )
    s.load()
    i = s.by_rule["SP004"][0]
    assert s.findings[i].record is None
    before, after = s.preview(i)
    assert after == {**before, "completion": before["completion"] + "\n"}
    s.close()
