"""The whole path on real data, as a user walks it: convert -> lint -> fix -> split ->
lint --valid -> review's plan replayed -> train --dry-run against a loopback API.

Each step's counts are checked against the files on disk, so that nothing is lost between
commands: every record read ends in an output or in a rejected file with its reason.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import orjson
import pytest

from ftprep.session import build_options
from ftprep.tui.session import ReviewSession

from .conftest import CORPUS, run_cli
from .corpus_mappings import needs_corpus
from .fake_openai import FakeOpenAI

pytestmark = needs_corpus()

BANKING = CORPUS / "banking77_train.csv"


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines() if path.exists() else []


def _json(result_out: str) -> dict:
    return orjson.loads(result_out)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FTPREP_WORKERS", "2")  # the parallel path, as users run it
    return tmp_path


def test_the_path_from_a_csv_export_to_a_dry_run(workdir: Path) -> None:
    # 1. convert: BANKING77 as chat, every row accounted for.
    convert = run_cli(
        "convert",
        str(BANKING),
        "--to",
        "chat",
        "--system",
        "You are a bank's support bot.",
        "--map",
        "user=text",
        "--map",
        "assistant=category",
        "-o",
        "all.jsonl",
    )
    assert convert.code == 0, convert.err
    records = _lines(workdir / "all.jsonl")
    assert "Converted 10,003 records: 10,003 written" in convert.out and len(records) == 10_003

    # 2. lint: what a fix will do is announced.
    report = _json(run_cli("lint", "all.jsonl", "--output-format", "json").out)
    by_code = report["summary"]["by_code"]
    announced = report["summary"]["fixable"]
    assert by_code.get("WS003", 0) >= 1 and announced >= by_code["WS003"]

    # 3. fix: every edit of every pass is counted; dropped records keep their original row.
    fix = run_cli("lint", "all.jsonl", "--fix", "-o", "fixed.jsonl", "--output-format", "json")
    fixed = _json(fix.out)["fixed"]
    assert fixed["applied"] == sum(sum(p.values()) for p in fixed["passes"])
    assert fixed["applied"] >= announced
    written = _lines(workdir / "fixed.jsonl")
    rejected = [orjson.loads(x) for x in _lines(workdir / "fixed.rejected.jsonl")]
    assert fixed["read"] == 10_003 == len(written) + len(rejected)
    for entry in rejected:  # the row as read, not as the fixes left it
        line = entry["source"]["line"]
        assert orjson.loads(records[line - 1]) == entry["input"]
    # Lines no edit touched are written back byte for byte; edited ones in place.
    log = [orjson.loads(x) for x in _lines(workdir / "fixed.fixlog.jsonl")]
    edited = {e["line"] for e in log}
    dropped = {e["source"]["line"] for e in rejected}
    kept = [(n, line) for n, line in enumerate(records, start=1) if n not in dropped]
    assert len(kept) == len(written)
    same = [out == line for (n, line), out in zip(kept, written, strict=True) if n not in edited]
    assert same and all(same)

    # 4. split: read = train + validation + rejected, and the clusters stay together.
    split = run_cli("split", "fixed.jsonl", "--seed", "7", "-o", "train.jsonl", "-O", "valid.jsonl")
    assert split.code == 0, split.err
    n_train, n_valid = len(_lines(workdir / "train.jsonl")), len(_lines(workdir / "valid.jsonl"))
    assert (
        f"read {len(written):,} = train {n_train:,} + validation {n_valid:,} + rejected 0"
        in split.out
    )
    assert n_train + n_valid == len(written)

    # 5. the leak check passes on what split wrote.
    leaks = _json(
        run_cli(
            "lint",
            "train.jsonl",
            "--valid",
            "valid.jsonl",
            "--select",
            "DP003",
            "--output-format",
            "json",
        ).out
    )
    assert leaks["diagnostics"] == []

    # 6. review: decisions saved as a plan, replayed in batch to the same bytes.
    session = ReviewSession("train.jsonl", build_options(baseline=str(workdir / "b.json")))
    session.load()
    session.accept_all_safe()
    saved = session.save()
    session.close()
    assert saved.written + saved.rejected == n_train
    replay = run_cli(
        "lint", "train.jsonl", "--fix", "--plan", saved.plan_path, "-o", "replayed.jsonl"
    )
    assert replay.code in (0, 1), replay.err
    assert (workdir / "replayed.jsonl").read_bytes() == Path(saved.output).read_bytes()

    # 7. train --dry-run: lint with the target model, the plan and its cost; nothing sent.
    with FakeOpenAI() as api:
        env = {"OPENAI_API_KEY": "sk-test-0123456789", "FTPREP_RETRY_DELAY": "0.01"}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            dry = run_cli(
                "train",
                saved.output,
                "--valid",
                "valid.jsonl",
                "--model",
                "gpt-4.1-mini-2025-04-14",
                "--base-url",
                api.base_url,
                "--dry-run",
            )
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        assert api.requests == []
    assert "Dry run: nothing was sent." in dry.out, dry.err
    assert "cost: about $" in dry.out


def test_a_second_in_place_fix_keeps_the_first_runs_rejected_records(workdir: Path) -> None:
    rows = [
        {
            "messages": [
                {"role": "user", "content": "Hi "},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello"},
            ]
        },
        {
            "messages": [
                {"role": "user", "content": "Bye"},
                {"role": "assistant", "content": "Ciao"},
            ]
        },
    ]
    data = workdir / "demo.jsonl"
    data.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    first = run_cli("lint", "demo.jsonl", "--fix", "--in-place")
    assert "pass 2: 1 edit (DP001" in first.out  # announced: stripping made a duplicate
    first_rejected = _lines(workdir / "demo.rejected.jsonl")
    assert len(first_rejected) == 1
    # More data arrives with another duplicate; the second run's rejection is added aside.
    with data.open("ab") as fh:
        fh.write(orjson.dumps(rows[2]) + b"\n")
    second = run_cli("lint", "demo.jsonl", "--fix", "--in-place")
    assert "kept in demo.rejected.1.jsonl" in second.out
    assert _lines(workdir / "demo.rejected.1.jsonl") == first_rejected
    assert len(_lines(workdir / "demo.rejected.jsonl")) == 1
    kept = len(_lines(data)) + len(first_rejected) + len(_lines(workdir / "demo.rejected.jsonl"))
    assert kept == 4  # every record ever read is somewhere


def test_trains_refusal_names_a_command_that_shows_the_leak(workdir: Path) -> None:
    train = workdir / "train.jsonl"
    valid = workdir / "valid.jsonl"
    rows = [
        {
            "messages": [
                {"role": "user", "content": f"Where is parcel number {i}? It is late."},
                {"role": "assistant", "content": f"Parcel {i} arrives tomorrow morning."},
            ]
        }
        for i in range(12)
    ]
    train.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    valid.write_bytes(orjson.dumps(rows[3]) + b"\n")
    refused = run_cli(
        "train",
        "train.jsonl",
        "--valid",
        "valid.jsonl",
        "--model",
        "gpt-4.1-mini-2025-04-14",
        "--dry-run",
    )
    assert refused.code == 1
    shown = refused.err.split("see them: ")[1].splitlines()[0]
    assert "DP003" in run_cli(*shlex.split(shown)[1:]).out
    fix = refused.err.split("fix what can be fixed: ")[1].splitlines()[0]
    run_cli(*shlex.split(fix)[1:])
    assert (
        run_cli(
            "lint", "train.fixed.jsonl", "--valid", "valid.fixed.jsonl", "--select", "DP003"
        ).code
        == 0
    )
