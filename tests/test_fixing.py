"""The fix loop: nothing lost, idempotent, converges or says which rule did not."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from ftprep import api
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, Fix, FixAvailability, SetValue
from ftprep.core.model import Record
from ftprep.core.rule import Rule

from .conftest import FIXTURES, ROOT, TICKETS_AS_CHAT, run_cli

DEMO = FIXTURES / "demo" / "train.jsonl"
MIX = FIXTURES / "rules" / "data" / "report_mix.jsonl"


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


def test_safe_fix_of_the_demo(tmp_path: Path) -> None:
    out = tmp_path / "fixed.jsonl"
    result = api.fix(str(DEMO), str(out))
    assert result.read == 60 and result.written == 58 and result.rejected == 2
    assert result.applied == {"DP001": 2, "WS002": 1, "WS003": 1}
    rejected = [orjson.loads(x) for x in lines(tmp_path / "fixed.rejected.jsonl")]
    assert [r["source"]["line"] for r in rejected] == [59, 60]
    assert rejected[0]["reasons"] == [
        {"code": "DP001", "message": "duplicate of the record at line 6"}
    ]
    log = [orjson.loads(x) for x in lines(tmp_path / "fixed.fixlog.jsonl")]
    assert {(e["code"], e["op"]) for e in log} == {
        ("DP001", "drop-record"),
        ("WS002", "strip"),
        ("WS003", "remove-invisible"),
    }
    assert all(e["line"] is not None and e["record"] is not None for e in log)
    remaining = {d.code for d in result.final.diagnostics}
    assert remaining == {"SC008", "SC010", "SC016", "TK004"}  # unsafe fixes were not applied


def test_unsafe_fixes_and_fixing_twice(tmp_path: Path) -> None:
    once, twice = tmp_path / "once.jsonl", tmp_path / "twice.jsonl"
    first = api.fix(str(DEMO), str(once), unsafe=True)
    assert first.applied["SC008"] == 1 and first.applied["SC010"] == 1
    second = api.fix(str(once), str(twice), unsafe=True)
    assert sum(second.applied.values()) == 0
    assert once.read_bytes() == twice.read_bytes()


def test_quarantine_of_broken_lines_keeps_everything_else(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = api.fix(str(MIX), str(out), unsafe=True, select=["IO002", "SC006"])
    assert result.read == 6 and result.written == 4 and result.rejected == 2
    rejected = [orjson.loads(x) for x in lines(tmp_path / "out.rejected.jsonl")]
    assert [(r["source"]["line"], r["reasons"][0]["code"]) for r in rejected] == [
        (2, "SC006"),
        (6, "IO002"),
    ]
    assert rejected[1]["input"] == "not json"


def test_without_quarantine_a_broken_line_is_kept_verbatim(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = api.fix(str(MIX), str(out), select=["WS001"])
    assert result.read == result.written == 6
    assert lines(out)[-1] == b"not json"
    # The edited line keeps the file's style (spaces after : and ,).
    assert lines(out)[0] == b'{"prompt": "Capital of France", "completion": " Paris"}'


class AlwaysAppends(Rule):
    """A test rule whose fix never stops changing the data."""

    code = "ZZ001"
    name = "always-appends"
    group = "test"
    default_severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS

    def check_record(self, record: Record) -> Iterator[Finding]:
        text = record.data.get("completion", "")
        yield Finding(
            "grows",
            pointer="/completion",
            fix=Fix(
                "grow",
                (
                    SetValue(
                        record=record.index, pointer="/completion", expected=text, value=text + "x"
                    ),
                ),
                Applicability.SAFE,
            ),
        )


def test_fixes_that_never_converge_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ftprep import pipeline

    monkeypatch.setitem(pipeline.REGISTRY, "ZZ001", AlwaysAppends)
    src = tmp_path / "a.jsonl"
    src.write_text('{"prompt": "a ->", "completion": " b"}\n', encoding="utf-8")
    result = api.fix(str(src), str(tmp_path / "out.jsonl"), select=["ZZ001"])
    assert result.iterations == 10
    assert result.not_converged == ["ZZ001"]
    assert json.loads((tmp_path / "out.jsonl").read_text())["completion"] == " b" + "x" * 10


def test_fix_converted_csv_to_jsonl_with_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "tickets.jsonl"
    result = run_cli(
        "lint",
        *TICKETS_AS_CHAT,
        "--fix",
        "--unsafe-fixes",
        "-o",
        str(out),
    )
    assert "read 5 = written 4 + rejected 1" in result.out
    rejected = orjson.loads(lines(tmp_path / "tickets.rejected.jsonl")[0])
    assert rejected["source"] == {"file": "fixtures/inputs/tickets.csv", "line": 5, "record": 2}
    assert rejected["reasons"][0]["code"] == "SC006"


def test_in_place_fix_is_atomic_and_only_for_jsonl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "train.jsonl"
    target.write_bytes(DEMO.read_bytes())
    result = run_cli("lint", str(target), "--fix", "--in-place", "--output-format", "concise")
    assert result.code == 0
    assert len(lines(target)) == 58
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".ftprep-")]
    # A table is linted, never rewritten (pre-commit passes tables beside JSONL files).
    table = tmp_path / "tickets.csv"
    table.write_bytes((FIXTURES / "inputs/tickets.csv").read_bytes())
    csv = run_cli("lint", str(table), "--fix", "--in-place", *TICKETS_AS_CHAT[1:])
    assert "linted, not fixed" in csv.err and "SC006" in csv.out
    assert csv.code == 1 and table.read_bytes() == (FIXTURES / "inputs/tickets.csv").read_bytes()


def test_exit_non_zero_on_fix(tmp_path: Path) -> None:
    target = tmp_path / "train.jsonl"
    target.write_bytes(DEMO.read_bytes())
    assert run_cli("lint", str(target), "--fix", "--in-place", "--exit-non-zero-on-fix").code == 1
    assert run_cli("lint", str(target), "--fix", "--in-place", "--exit-non-zero-on-fix").code == 0


def test_parallel_run_equals_inline_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ftprep.core import linter

    src = tmp_path / "big.jsonl"
    rows = [json.loads(x) for x in DEMO.read_text(encoding="utf-8").splitlines()] * 40
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(linter, "PARALLEL_MIN_BYTES", 0)
    inline = api.lint(str(src), workers=1)
    from ftprep.readers import base

    monkeypatch.setattr(base.ReadOptions, "__init__", _small_chunks(base.ReadOptions.__init__))
    parallel = api.lint(str(src), workers=2)
    assert [d.as_dict() for d in parallel.diagnostics] == [d.as_dict() for d in inline.diagnostics]
    assert parallel.files[0].tokens == inline.files[0].tokens
    assert sum(1 for d in inline.diagnostics if d.code == "DP001") == 2400 - 58


def test_parallel_run_equals_inline_run_on_legacy_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Completion records in shuffled order: each job meets the endings in its own order, so
    the separator statistics of the jobs merge with their vocabularies remapped, and the
    records lacking the dominant separator or stop sequence must still be the right ones."""
    import random

    from ftprep.core import linter
    from ftprep.readers import base

    rng = random.Random(3)
    rows = []
    for i in range(600):
        sep = "\n\n###\n\n" if rng.random() < 0.9 else " ->"
        stop = " END" if rng.random() < 0.9 else "\n"
        rows.append(
            {
                "prompt": f"Ticket {i}: order late{sep}",
                "completion": f" sorry, {i}{stop}",
            }
        )
    src = tmp_path / "legacy.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(linter, "PARALLEL_MIN_BYTES", 0)
    inline = api.lint(str(src), workers=1)
    monkeypatch.setattr(
        base.ReadOptions, "__init__", _small_chunks(base.ReadOptions.__init__, 2048)
    )
    parallel = api.lint(str(src), workers=2)
    assert [d.as_dict() for d in parallel.diagnostics] == [d.as_dict() for d in inline.diagnostics]
    codes = Counter(d.code for d in inline.diagnostics)
    assert codes["SP002"] > 30 and codes["SP005"] > 30, codes


def _small_chunks(init, size: int = 16 * 1024):  # type: ignore[no-untyped-def]
    def patched(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["chunk_bytes"] = size
        init(self, *args, **kwargs)

    return patched


def test_parallel_path_is_really_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ftprep.core import linter

    calls: list[tuple[int, bool]] = []
    original = linter._run_parallel

    def spy(jobs, runner, workers, absorb):  # type: ignore[no-untyped-def]
        # The vocabulary is loaded before the worker forks, so that the worker shares it.
        calls.append((workers, runner.ctx._counter is not None))
        return original(jobs, runner, workers, absorb)

    monkeypatch.setattr(linter, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(linter, "_run_parallel", spy)
    report = api.lint(str(DEMO), workers=2)
    assert calls == [(2, True)]
    assert sum(1 for d in report.diagnostics if d.code == "DP001") == 2
