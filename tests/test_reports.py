"""Snapshots of every output format, the JSON schema, and exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from ftprep.rules import REGISTRY

from .conftest import FIXTURES, ROOT, TICKETS_AS_CHAT, run_cli

SNAPSHOTS = FIXTURES / "golden" / "report"
UPDATE = os.environ.get("FTPREP_UPDATE_SNAPSHOTS") == "1"
DEMO = "fixtures/demo/train.jsonl"
MIXED = "fixtures/rules/data/report_mix.jsonl"


def snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"snapshot {name} changed"


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "github"])
@pytest.mark.parametrize("source", [DEMO, MIXED])
def test_format_snapshot(fmt: str, source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    result = run_cli("lint", source, "--output-format", fmt)
    stem = Path(source).stem
    snapshot(f"{stem}.{fmt}.txt", result.out)
    assert result.err == ""


@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_statistics_are_counts_per_rule_only(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run_cli("lint", DEMO, "--output-format", fmt, "--statistics")
    snapshot(f"train.{fmt}.statistics.txt", result.out)
    assert "Statistics:" in result.out and "fixtures/demo/train.jsonl:4:" not in result.out


def test_a_flood_of_one_rule_is_folded(tmp_path: Path) -> None:
    """BANKING77: 838 rare-class warnings buried the real findings; a flood shows 5."""
    path = tmp_path / "many.jsonl"
    rows = [f'{{"prompt": "Q{i}\u00a0 ->", "completion": " A{i}"}}' for i in range(40)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    folded = run_cli("lint", str(path), "--select", "WS003")
    assert folded.out.count("WS003 [warning]") == 5
    assert (
        "WS003 (invisible-character) 35 more like the above (lines 6, 7, 8, 9, 10, …)" in folded.out
    )
    assert "Found 40 problems" in folded.out
    every = run_cli("lint", str(path), "--select", "WS003", "--show-all")
    assert every.out.count("WS003 [warning]") == 40


def test_json_report_matches_its_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    schema = json.loads((ROOT / "docs" / "json-report.schema.json").read_text(encoding="utf-8"))
    for source in (DEMO, MIXED, "fixtures/inputs/tickets.csv"):
        extra = (
            ["--to", "chat", "--map", "user=body", "--map", "assistant=reply"]
            if source.endswith(".csv")
            else []
        )
        report = json.loads(run_cli("lint", source, *extra, "--output-format", "json").out)
        jsonschema.validate(report, schema)
        assert report["version"] == 1
        assert all(d["line"] is None or d["line"] >= 1 for d in report["diagnostics"])


def test_json_report_dataset_findings_have_null_record(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report = json.loads(run_cli("lint", DEMO, "--output-format", "json").out)
    sc016 = [d for d in report["diagnostics"] if d["code"] == "SC016"]
    assert sc016 and sc016[0]["record"] is None
    dup = next(d for d in report["diagnostics"] if d["code"] == "DP001")
    assert dup["related"][0]["line"] == 6 and dup["fix"]["applicability"] == "safe"


def test_converted_table_diagnostics_name_the_column(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = run_cli(
        "lint",
        *TICKETS_AS_CHAT,
        "--output-format",
        "json",
    ).out
    empty = [d for d in json.loads(out)["diagnostics"] if d["code"] == "SC006"]
    # Row 4 of the sheet starts on line 5: the cell above it spans two lines.
    assert [(d["line"], d.get("row"), d["column"], d["pointer"]) for d in empty] == [
        (5, 4, "reply", "/messages/1/content")
    ]


def test_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert run_cli("lint", DEMO).code == 0  # warnings only
    assert run_cli("lint", DEMO, "--fail-on", "warning").code == 1
    assert run_cli("lint", MIXED).code == 1  # errors
    assert run_cli("lint", MIXED, "--exit-zero").code == 0
    assert run_cli("lint", DEMO, "--select", "NOPE").code == 2
    assert run_cli("lint", DEMO, "--profile", "nope").code == 2
    assert run_cli("lint", DEMO, "--model", "gpt-99").code == 2
    assert run_cli("lint", "missing.jsonl").code == 1
    assert run_cli("lint", DEMO, "--unsafe-fixes").code == 2
    assert run_cli().code == 2


def test_unknown_selector_suggests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run_cli("lint", DEMO, "--select", "exact-duplicat")
    assert "did you mean 'exact-duplicate'" in result.err


def test_github_format_is_default_under_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = run_cli("lint", DEMO).out
    assert out.startswith("::warning file=fixtures/demo/train.jsonl")
    assert "line=" in out


def test_select_by_prefix_group_and_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    # The demo holds templated near-copies (DP002) besides two exact copies (DP001).
    expected = {"DP": {"DP001", "DP002"}, "duplicates": {"DP001", "DP002"}}
    for selector in ("DP", "duplicates", "exact-duplicate", "DP001"):
        report = json.loads(
            run_cli("lint", DEMO, "--select", selector, "--output-format", "json").out
        )
        assert {d["code"] for d in report["diagnostics"]} == expected.get(selector, {"DP001"})
    report = json.loads(
        run_cli("lint", DEMO, "--ignore", "DP001,SC", "--output-format", "json").out
    )
    assert not {d["code"] for d in report["diagnostics"]} & {"DP001", "SC016", "SC008", "SC010"}


def test_lint_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (ROOT / DEMO).read_bytes()
    result = run_cli("lint", "-", "--output-format", "concise", stdin=data)
    assert "<stdin>:59: DP001" in result.out


def test_rule_documentation_command() -> None:
    result = run_cli("rule", "SP002")
    assert result.code == 0
    assert "## Why is this bad?" in result.out and "inconsistent-prompt-separator" in result.out
    assert run_cli("rule", "exact-duplicate").code == 0
    assert run_cli("rule", "XX999").code == 2
    listing = run_cli("rule", "--all").out
    rows, legend = listing.split("\n\n")
    assert rows.count("\n") == len(REGISTRY) - 1
    assert "[*] always fixable, [~] sometimes fixable" in legend


def test_several_files_one_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report = json.loads(run_cli("lint", DEMO, MIXED, "--output-format", "json").out)
    assert [f["file"] for f in report["files"]] == [DEMO, MIXED]
    assert report["summary"]["problems"] == 7 + 10
    assert run_cli("lint", DEMO, MIXED).code == 1
