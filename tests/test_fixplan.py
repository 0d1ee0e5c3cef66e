"""Fix plans and baselines: decisions keyed by record content, replayed without a person."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest

from ftprep.core.baseline import Baseline, BaselineEntry
from ftprep.core.errors import ConfigError
from ftprep.core.fingerprint import fingerprint
from ftprep.core.fix import Applicability
from ftprep.core.fixplan import Decision, FindingDecision, FixPlan
from tests.conftest import run_cli
from tests.review_data import planted_records, write_planted


def _lines(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_fingerprint_ignores_key_order_but_not_content() -> None:
    a = {"messages": [{"role": "user", "content": "hi"}], "x": 1}
    b = {"x": 1, "messages": [{"content": "hi", "role": "user"}]}
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint({**a, "x": 2})
    assert fingerprint("not json {") != fingerprint("not json [")


def test_most_specific_decision_wins() -> None:
    key = ("abc", "WS002", "/messages/2/content")
    plan = FixPlan(
        default="safe",
        rules={"WS002": Decision.REJECT},
        findings=[FindingDecision(record="abc", code="WS002", pointer=key[2], decision="accept")],
    )
    assert plan.decide(key, Applicability.SAFE) is Decision.ACCEPT
    assert plan.decide(("other", "WS002", ""), Applicability.SAFE) is Decision.REJECT
    assert plan.decide(("other", "WS003", ""), Applicability.SAFE) is Decision.ACCEPT
    # "accept every safe fix" never reaches unsafe fixes, and display-only never applies.
    assert plan.decide(("other", "SC010", ""), Applicability.UNSAFE) is None
    assert plan.decide(key, Applicability.DISPLAY_ONLY) is None


def test_plan_round_trips_and_bad_plans_are_clear(tmp_path: Path) -> None:
    plan = FixPlan(
        rules={"SC010": Decision.ACCEPT},
        findings=[FindingDecision(record="f", code="WS002", decision="reject")],
    )
    path = tmp_path / "p.fixplan.json"
    plan.dump(str(path))
    assert FixPlan.load(str(path)) == plan
    path.write_text('{"version": 1, "rules": {"SC010": "maybe"}}')
    with pytest.raises(ConfigError, match=r"rules\.SC010"):
        FixPlan.load(str(path))
    path.write_text('{"version": 1, "defualt": "safe"}')
    with pytest.raises(ConfigError, match="defualt"):
        FixPlan.load(str(path))


def _plan_for(records: list[dict], **decisions: str) -> FixPlan:
    """Per-finding decisions by line: ``L2_WS002="accept"`` (pointer filled by rule)."""
    pointers = {"WS002": "/messages/2/content", "WS003": "/messages/1/content", "DP001": ""}
    out = []
    for name, decision in decisions.items():
        line, code = name[1:].split("_")
        out.append(
            FindingDecision(
                record=fingerprint(records[int(line) - 1]),
                code=code,
                pointer=pointers[code],
                decision=decision,
            )
        )
    return FixPlan(findings=out)


def test_lint_fix_plan_applies_exactly_the_plan(tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    records = planted_records()
    plan = _plan_for(records, L2_WS002="accept", L5_WS002="reject", L10_DP001="accept")
    plan.rules["SC010"] = Decision.ACCEPT  # unsafe, yet applied: the plan says so
    plan_path = tmp_path / "train.fixplan.json"
    plan.dump(str(plan_path))
    out = tmp_path / "out.jsonl"
    r = run_cli("lint", str(train), "--fix", "--plan", str(plan_path), "-o", str(out))
    assert r.code == 0, r.err
    fixed = _lines(out)
    assert len(fixed) == 11  # line 10 dropped
    assert fixed[1]["messages"][2]["content"].endswith("manual.")  # L2 accepted
    assert fixed[4]["messages"][2]["content"].endswith("  ")  # L5 rejected
    assert fixed[7]["messages"][2]["content"].endswith("  ")  # L8 undecided: skipped
    assert "\u200b" in fixed[2]["messages"][1]["content"]  # WS003 undecided: skipped
    assert len(fixed[9]["messages"]) == 3  # SC010 merged (old line 11)
    assert fixed[10]["messages"][-1]["role"] == "user"  # SC008 undecided: kept
    rejected = _lines(tmp_path / "out.rejected.jsonl")
    assert [(e["source"]["line"], e["reasons"][0]["code"]) for e in rejected] == [(10, "DP001")]


def test_plan_follows_records_that_moved(tmp_path: Path) -> None:
    """Keyed by content, a decision still applies when the record moves to another line."""
    records = planted_records()
    plan = _plan_for(records, L2_WS002="accept")
    plan_path = tmp_path / "p.json"
    plan.dump(str(plan_path))
    moved = [records[4], records[7], records[1]]  # the L2 record now on line 3
    train = tmp_path / "drop2.jsonl"
    train.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in moved))
    out = tmp_path / "out.jsonl"
    # Exit 1: three examples are too few (SC016, an error); the fix is still written.
    assert run_cli("lint", str(train), "--fix", "--plan", str(plan_path), "-o", str(out)).code == 1
    fixed = _lines(out)
    assert [r["messages"][2]["content"].endswith("  ") for r in fixed] == [True, True, False]


def test_plan_default_safe_is_lint_fix(tmp_path: Path) -> None:
    """A plan that accepts every safe fix gives the same bytes as plain ``--fix``."""
    train = write_planted(tmp_path / "train.jsonl")
    plan_path = tmp_path / "p.json"
    FixPlan(default="safe").dump(str(plan_path))
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert run_cli("lint", str(train), "--fix", "-o", str(a)).code == 0
    assert run_cli("lint", str(train), "--fix", "--plan", str(plan_path), "-o", str(b)).code == 0
    assert a.read_bytes() == b.read_bytes()


def test_plan_needs_fix_and_excludes_unsafe_fixes(tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    r = run_cli("lint", str(train), "--plan", "x.json")
    assert r.code == 2 and "--plan needs --fix" in r.err
    r = run_cli("lint", str(train), "--fix", "--unsafe-fixes", "--plan", "x.json", "-o", "o")
    assert r.code == 2 and "drop --unsafe-fixes" in r.err
    r = run_cli("lint", str(train), "--fix", "--plan", str(tmp_path / "none.json"), "-o", "o")
    assert r.code == 2 and "cannot read fix plan" in r.err


# -- baselines -------------------------------------------------------------------------------
def _baseline(tmp_path: Path, *entries: tuple[int, str, str]) -> Path:
    records = planted_records()
    path = tmp_path / "ftprep-baseline.json"
    Baseline(
        entries=[
            BaselineEntry(
                file="train.jsonl", record=fingerprint(records[line - 1]), code=code, pointer=ptr
            )
            for line, code, ptr in entries
        ]
    ).dump(str(path))
    return path


def test_baseline_hides_listed_findings_and_reports_stale_ones(tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    baseline = _baseline(
        tmp_path,
        (11, "SC010", "/messages/2"),
        (5, "WS002", "/messages/2/content"),
        (1, "WS003", "/messages/1/content"),  # stale: line 1 has no WS003 finding
    )
    args = ("lint", str(train), "--output-format", "json", "--baseline", str(baseline))
    r = run_cli(*args)
    codes = [(d["line"], d["code"]) for d in orjson.loads(r.out)["diagnostics"]]
    assert (11, "SC010") not in codes and (5, "WS002") not in codes
    assert (2, "WS002") in codes and (8, "WS002") in codes
    r = run_cli("lint", str(train), "--baseline", str(baseline))
    assert "2 findings hidden by the baseline" in r.err
    assert "stale baseline entry" in r.err and "WS003" in r.err
    r = run_cli("lint", str(train), "--output-format", "json", "--no-baseline")
    assert (11, "SC010") in [(d["line"], d["code"]) for d in orjson.loads(r.out)["diagnostics"]]


def test_fix_leaves_baselined_findings_alone(tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    baseline = _baseline(tmp_path, (5, "WS002", "/messages/2/content"))
    out = tmp_path / "out.jsonl"
    r = run_cli("lint", str(train), "--fix", "-o", str(out), "--baseline", str(baseline))
    assert r.code == 0, r.err
    fixed = _lines(out)
    assert fixed[4]["messages"][2]["content"].endswith("  ")
    assert not fixed[1]["messages"][2]["content"].endswith(" ")


def test_baseline_default_is_found_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_planted(tmp_path / "train.jsonl")
    _baseline(tmp_path, (11, "SC010", "/messages/2"))
    monkeypatch.chdir(tmp_path)
    r = run_cli("lint", "train.jsonl", "--output-format", "json")
    assert "SC010" not in [d["code"] for d in orjson.loads(r.out)["diagnostics"]]
    # Keyed by the record, not the file: a reviewed copy keeps the finding ignored.
    shutil.copy(tmp_path / "train.jsonl", tmp_path / "train.reviewed.jsonl")
    r = run_cli("lint", "train.reviewed.jsonl", "--output-format", "json")
    assert "SC010" not in [d["code"] for d in orjson.loads(r.out)["diagnostics"]]
    assert "SC010" in [
        d["code"]
        for d in orjson.loads(
            run_cli("lint", "train.reviewed.jsonl", "--no-baseline", "--output-format", "json").out
        )["diagnostics"]
    ]


def test_python_api_replays_a_plan(tmp_path: Path) -> None:
    import ftprep

    train = write_planted(tmp_path / "train.jsonl")
    plan = _plan_for(planted_records(), L8_WS002="accept")
    path = tmp_path / "p.json"
    plan.dump(str(path))
    result = ftprep.fix(str(train), str(tmp_path / "out.jsonl"), plan=str(path))
    assert dict(result.applied) == {"WS002": 1}
    assert not _lines(tmp_path / "out.jsonl")[7]["messages"][2]["content"].endswith(" ")
