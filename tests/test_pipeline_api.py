"""Batch pipelines: DataFrames, record iterables, Parquet, and standard input and output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import ftprep
import ftprep.session
from tests.conftest import CORPUS, INPUTS, TICKETS_AS_CHAT, run_cli
from tests.review_data import planted_records, write_planted

FTPREP = str(Path(sys.executable).with_name("ftprep"))


def _found(report: ftprep.LintReport) -> list[tuple[str, int | None, str]]:
    return sorted((d.file, d.line or 0, d.code) for d in report.diagnostics if d.code != "TK004")


def test_lint_frame_equals_linting_the_same_table_as_csv(tmp_path: Path) -> None:
    frame = pd.read_csv(INPUTS / "tickets.csv", dtype=str, keep_default_na=False)
    mapping = {"user": "body", "assistant": "reply"}
    from_frame = ftprep.lint_frame(frame, mapping=mapping, to="chat", name="tickets.csv")
    from_file = ftprep.lint(str(INPUTS / "tickets.csv"), mapping=mapping, to="chat")
    # The CSV numbers rows from its header (row 1); the frame numbers its rows from 1.
    rows = sorted(
        (d.file, d.row or d.line or 0, d.code) for d in from_file.diagnostics if d.code != "TK004"
    )
    shifted = [(Path(f).name, line - 1 if line else 0, c) for f, line, c in rows]
    assert _found(from_frame) == sorted(shifted)
    assert from_frame.files[0].layout.startswith("dataframe: mapped columns")


def test_frame_cells_are_text_and_missing_values_empty() -> None:
    frame = pd.DataFrame({"q": ["007", None, "NA", None], "a": [1.50, 2, float("nan"), None]})
    out = ftprep.convert_frame(frame, mapping={"prompt": "q", "completion": "a"})
    # The last row is empty in every cell: skipped, as an empty spreadsheet row is.
    assert [r["prompt"] for r in out.records] == ["007", "", "NA"]
    assert [r["completion"] for r in out.records] == ["1.5", "2.0", ""]
    assert out.read == 3 and out.rejected == []
    assert list(out.to_frame().columns) == ["prompt", "completion"]


def test_convert_frame_names_a_missing_column() -> None:
    from ftprep.core.errors import UsageError

    frame = pd.DataFrame({"q": ["Hi"], "a": ["x"]})
    with pytest.raises(UsageError, match="no column 'nope'; columns found: 'q', 'a'"):
        ftprep.convert_frame(frame, mapping={"completion": "a"}, template="Say: {nope}")


def test_lint_records_takes_any_iterable_once(tmp_path: Path) -> None:
    records = planted_records()
    consumed = []

    def generate():  # type: ignore[no-untyped-def]
        for r in records:
            consumed.append(1)
            yield r

    report = ftprep.lint_records(generate(), name="stream")
    assert len(consumed) == len(records)
    from_file = ftprep.lint(str(write_planted(tmp_path / "stream.jsonl")))
    assert [(line, c) for _, line, c in _found(report)] == [
        (line, c) for _, line, c in _found(from_file)
    ]
    assert {d.file for d in report.diagnostics} == {"stream"}


def test_parquet_round_trip_keeps_records(tmp_path: Path) -> None:
    source = CORPUS / "openai_drone_training.jsonl"
    if not source.exists():  # the corpus is beside the checkout in this workplace
        source = write_planted(tmp_path / "planted.jsonl")
    out = tmp_path / "data.parquet"
    assert run_cli("convert", str(source), "--format", "jsonl", "-o", str(out)).code == 0
    back = tmp_path / "back.jsonl"
    assert run_cli("convert", str(out), "-o", str(back)).code == 0
    original = [orjson.loads(x) for x in source.read_bytes().splitlines()]
    assert [orjson.loads(x) for x in back.read_bytes().splitlines()] == original
    assert _found(ftprep.lint(str(out))) == [
        (str(out), line, code) for _, line, code in _found(ftprep.lint(str(source)))
    ]


def test_parquet_tables_map_like_csv_and_null_cells_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "faq.parquet"
    pq.write_table(pa.table({"q": ["Hi?", None], "a": ["Hello", "Yes"], "n": [1, 2]}), path)
    out = tmp_path / "faq.jsonl"
    r = run_cli("convert", str(path), "--map", "prompt=q", "--map", "completion=a", "-o", str(out))
    assert r.code == 0, r.err
    assert [orjson.loads(x) for x in out.read_bytes().splitlines()] == [
        {"prompt": "Hi?", "completion": "Hello"},
        {"prompt": "", "completion": "Yes"},
    ]


def test_fix_writes_parquet(tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    out = tmp_path / "fixed.parquet"
    run_cli("lint", str(train), "--fix", "-o", str(out))
    rows = pq.read_table(out).to_pylist()
    assert len(rows) == 11 and not rows[1]["messages"][2]["content"].endswith(" ")


def test_a_damaged_parquet_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really")
    r = run_cli("lint", str(bad))
    assert r.code == 1 and "IO001" in r.out and "not a readable Parquet file" in r.out


def test_stdin_and_stdout_stream_through_a_shell_pipe() -> None:
    data = (INPUTS / "tickets.csv").read_bytes()
    convert = subprocess.run(
        [
            FTPREP,
            "convert",
            "-",
            "--format",
            "csv",
            *TICKETS_AS_CHAT[1:],
            "-o",
            "-",
        ],
        input=data,
        capture_output=True,
        check=True,
    )
    records = [orjson.loads(x) for x in convert.stdout.splitlines()]
    assert records and all("messages" in r for r in records)
    lint = subprocess.run(
        [FTPREP, "lint", "-", "--output-format", "json"], input=convert.stdout, capture_output=True
    )
    report = orjson.loads(lint.stdout)
    assert report["files"][0]["file"] == "<stdin>" and report["files"][0]["records"] == len(records)
    assert lint.stderr == b""  # no progress bar on a pipe


def test_long_operations_report_progress_by_stage(tmp_path: Path) -> None:
    from ftprep.pipeline import fix_file
    from ftprep.splitting import split_file

    train = write_planted(tmp_path / "train.jsonl")
    seen: dict[str, tuple[int, int]] = {}

    def progress(what: str, done: int, total: int) -> None:
        assert 0 < done <= total
        seen[what] = (done, total)

    fix_file(
        str(train), str(tmp_path / "out.jsonl"), ftprep.session.build_options(), progress=progress
    )
    size = train.stat().st_size
    assert seen[str(train)] == (size, size)  # reading and linting
    assert f"{train}: fixing (pass 1)" in seen and f"{train}: checking (pass 1)" in seen
    seen.clear()
    split_file(
        str(train),
        ftprep.session.build_options(),
        valid_fraction=0.2,
        train_output=str(tmp_path / "t.jsonl"),
        valid_output=str(tmp_path / "v.jsonl"),
        progress=progress,
    )
    assert seen[f"{train}: writing"] == (size, size)


def test_fix_is_silent_on_stderr_through_pipes(tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    done = subprocess.run(
        [
            FTPREP,
            "lint",
            str(train),
            "--fix",
            "-o",
            str(tmp_path / "o.jsonl"),
            "--output-format",
            "json",
        ],
        capture_output=True,
    )
    assert done.stderr == b"" and orjson.loads(done.stdout)["fixed"]["applied"] == 6
