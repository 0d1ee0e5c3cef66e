"""ftprep upload / train / jobs: the real openai SDK against a real HTTP server on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from tests.fake_openai import FakeOpenAI
from tests.review_data import planted_records, write_planted

FTPREP = str(Path(sys.executable).with_name("ftprep"))
KEY = "sk-test-do-not-print-0123456789"
MODEL = "gpt-4.1-mini-2025-04-14"


@pytest.fixture
def api() -> FakeOpenAI:
    with FakeOpenAI() as server:
        yield server


def ftprep(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):  # type: ignore[no-untyped-def]
    environment = {**os.environ, "OPENAI_API_KEY": KEY, "FTPREP_RETRY_DELAY": "0.01"}
    environment.pop("AZURE_OPENAI_ENDPOINT", None)
    result = subprocess.run(
        [FTPREP, *args],
        capture_output=True,
        text=True,
        env={**environment, **(env or {})},
        input=stdin,
        timeout=120,
    )
    assert KEY not in result.stdout + result.stderr  # the key is never printed
    return result


def train_args(api: FakeOpenAI, path: Path, *extra: str) -> list[str]:
    return [
        "train",
        str(path),
        "--model",
        MODEL,
        "--base-url",
        api.base_url,
        "--poll-interval",
        "0.01",
        *extra,
    ]


def test_train_uploads_creates_the_job_and_follows_it(api: FakeOpenAI, tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    valid = tmp_path / "valid.jsonl"
    valid.write_bytes(orjson.dumps(planted_records()[0]) + b"\n")  # a leak from train
    r = ftprep(*train_args(api, train, "--valid", str(valid), "--yes"))
    assert r.returncode == 1 and f"{valid}: 1 lint error remains (DP003 ×1)" in r.stderr
    # The command it names shows the leak (it appears only beside the training file).
    assert f"see them: ftprep lint {train} --valid {valid}" in r.stderr
    assert "--fix --unsafe-fixes -o" in r.stderr and "--valid-output" in r.stderr
    import shlex

    from .conftest import run_cli

    shown = r.stderr.split("see them: ")[1].splitlines()[0]
    assert "DP003" in run_cli(*shlex.split(shown)[1:]).out
    assert api.requests == []
    fresh = {
        "messages": [
            {"role": "user", "content": "Does the lid lock?"},
            {"role": "assistant", "content": "Yes, it clicks shut."},
        ]
    }
    valid.write_bytes(orjson.dumps(fresh) + b"\n")
    r = ftprep(
        *train_args(
            api,
            train,
            "--valid",
            str(valid),
            "--yes",
            "--epochs",
            "3",
            "--suffix",
            "support-bot",
            "--seed",
            "7",
            "--batch-size",
            "4",
            "--learning-rate-multiplier",
            "0.5",
        )
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1].startswith("ftjob-")  # the job id, for scripts
    assert "cost: about $" in r.stdout and "× 3 epochs" in r.stdout and "price read" in r.stdout
    assert "Fine-tuning job started" in r.stderr and "Done: ft:" + MODEL in r.stderr
    uploads = api.calls("POST /files")
    assert [u["body"]["purpose"] for u in uploads] == ["fine-tune", "fine-tune"]
    assert all(call["auth"] == f"Bearer {KEY}" for call in api.requests)
    (job,) = api.calls("POST /fine_tuning/jobs")
    assert job["body"] == {
        "model": MODEL,
        "training_file": "file-1",
        "validation_file": "file-3" if "file-3" in api.files else "file-2",
        "method": {
            "type": "supervised",
            "supervised": {
                "hyperparameters": {"n_epochs": 3, "batch_size": 4, "learning_rate_multiplier": 0.5}
            },
        },
        "suffix": "support-bot",
        "seed": 7,
    }
    assert api.contents["file-1"] == train.read_bytes()  # a JSONL is sent exactly as it is
    # Processing took two polls; the job was created only after both files were processed.
    assert len(api.calls("GET /files/file-1")) == 2
    first_job_call = api.requests.index(job)
    assert all(api.requests.index(c) < first_job_call for c in api.calls("GET /files/file-.*"))


def test_dry_run_sends_nothing(api: FakeOpenAI, tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    r = ftprep(*train_args(api, train, "--dry-run", "--epochs", "2"))
    assert r.returncode == 0, r.stderr
    assert api.requests == []
    assert f"training: train.jsonl, {train.stat().st_size:,} bytes, 0 errors" in r.stdout
    assert "job: supervised fine-tuning of " + MODEL + " (epochs=2)" in r.stdout
    assert "cost: about $" in r.stdout and "Dry run: nothing was sent." in r.stdout


def test_lint_errors_stop_the_run_unless_forced(api: FakeOpenAI, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"messages": [{"role": "user", "content": "only a question"}]}\n' * 12)
    r = ftprep(*train_args(api, bad, "--yes"))
    assert r.returncode == 1 and "lint error" in r.stderr and "--force" in r.stderr
    assert api.requests == []
    r = ftprep(*train_args(api, bad, "--yes", "--force", "--no-follow"))
    assert r.returncode == 0, r.stderr
    assert "remain; sending anyway (--force)" in r.stderr or "remains; sending anyway" in r.stderr
    assert len(api.calls("POST /fine_tuning/jobs")) == 1


def test_without_a_terminal_it_needs_yes(api: FakeOpenAI, tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    r = ftprep(*train_args(api, train))
    assert r.returncode == 2 and "pass --yes" in r.stderr
    assert api.requests == []


def test_a_lost_response_never_uploads_twice(api: FakeOpenAI, tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    api.fail_next("POST /files", 500)
    api.store_then_fail.add("POST /files")  # the server keeps the file, the answer is a 500
    r = ftprep(*train_args(api, train, "--yes", "--no-follow"))
    assert r.returncode == 0, r.stderr
    assert "checking whether the file arrived" in r.stderr and "Yes: file-1." in r.stderr
    assert len(api.files) == 1 and len(api.calls("POST /files")) == 1


def test_a_transient_500_on_the_job_is_retried_once_it_is_known_absent(
    api: FakeOpenAI, tmp_path: Path
) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    api.fail_next("POST /fine_tuning/jobs", 500)
    r = ftprep(*train_args(api, train, "--yes", "--no-follow"))
    assert r.returncode == 0, r.stderr
    assert len(api.calls("POST /fine_tuning/jobs")) == 2 and len(api.jobs) == 1
    assert "checking whether the job was created" in r.stderr


def test_rate_limits_on_reads_are_retried_with_backoff(api: FakeOpenAI, tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    api.fail_next("GET /files/file-ID", 429, 429)
    api.fail_next("GET /fine_tuning/jobs/ftjob-ID", 503)
    r = ftprep(*train_args(api, train, "--yes"))
    assert r.returncode == 0, r.stderr
    assert "Done: ft:" in r.stderr


def test_a_rejected_line_is_mapped_back_to_the_spreadsheet_row(
    api: FakeOpenAI, tmp_path: Path
) -> None:
    table = tmp_path / "faq.csv"
    rows = [f"Question {n}?,Answer {n}." for n in range(12)]
    rows[4] = "Question REJECT_ME?,Answer."
    table.write_text("prompt,completion\n\n" + "\n".join(rows) + "\n")  # an empty row first
    r = ftprep(*train_args(api, table, "--yes", "--force"))
    assert r.returncode == 1
    # Line 5 of the uploaded JSONL is the fifth record: row 7 of the CSV (header, empty row).
    assert "the service rejected faq.jsonl: Invalid file format. Line 5" in r.stderr
    assert f"the record comes from {table}:7" in r.stderr
    assert api.calls("POST /fine_tuning/jobs") == []


def test_a_failed_job_names_the_source_line(api: FakeOpenAI, tmp_path: Path) -> None:
    records = planted_records()
    records[2]["messages"][1]["content"] += " FAIL_JOB"
    train = tmp_path / "train.jsonl"
    train.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in records))
    r = ftprep(*train_args(api, train, "--yes"))
    assert r.returncode == 1
    assert "Failed: The job failed due to an invalid training file. Example on line 3" in r.stderr
    assert f"the record comes from {train}:3" in r.stderr


def test_big_files_go_through_the_uploads_api_in_parts(api: FakeOpenAI, tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    env = {"FTPREP_UPLOAD_SINGLE_LIMIT": "1000", "FTPREP_UPLOAD_PART_BYTES": "1024"}
    api.fail_next("POST /uploads/upload-ID/parts", 500)  # a failed part is simply sent again
    r = ftprep(*train_args(api, train, "--yes", "--no-follow"), env=env)
    assert r.returncode == 0, r.stderr
    assert api.calls("POST /files") == []
    assert len(api.calls("POST /uploads")) == 1
    assert len(api.calls("POST /uploads/upload-.*/parts")) == 4  # 3 parts + 1 retry
    (complete,) = api.calls("POST /uploads/upload-.*/complete")
    (file_id,) = api.files
    assert api.contents[file_id] == train.read_bytes()
    assert len(complete["body"]["part_ids"]) == 3


def test_upload_reuses_a_same_named_same_sized_file(api: FakeOpenAI, tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    r = ftprep("upload", str(train), "--base-url", api.base_url, "--poll-interval", "0.01")
    assert r.returncode == 0, r.stderr
    first = r.stdout.strip()
    r = ftprep("upload", str(train), "--base-url", api.base_url, "--poll-interval", "0.01", "--yes")
    assert r.stdout.strip() == first and f"Reusing {first}" in r.stderr
    r = ftprep(
        "upload", str(train), "--base-url", api.base_url, "--poll-interval", "0.01", "--no-reuse"
    )
    assert r.stdout.strip() != first and len(api.calls("POST /files")) == 2


def test_jobs_list_follow_and_cancel(api: FakeOpenAI, tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    job_id = ftprep(*train_args(api, train, "--yes", "--no-follow")).stdout.split()[-1]
    base = ["--base-url", api.base_url, "--poll-interval", "0.01"]
    listed = ftprep("jobs", "list", *base)
    assert (
        listed.returncode == 0 and job_id in listed.stdout and "validating_files" in listed.stdout
    )
    followed = ftprep("jobs", "follow", job_id, *base)
    assert followed.returncode == 0 and "The job has successfully completed" in followed.stderr
    other = ftprep(*train_args(api, train, "--yes", "--no-follow", "--no-reuse")).stdout.split()[-1]
    cancelled = ftprep("jobs", "cancel", other, *base)
    assert cancelled.stdout.strip() == f"{other}: cancelled"


def test_azure_openai_uses_its_endpoint_version_and_key_header(
    api: FakeOpenAI, tmp_path: Path
) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    endpoint = api.base_url.removesuffix("/v1")
    r = ftprep(
        "train",
        str(train),
        "--model",
        MODEL,
        "--azure-endpoint",
        endpoint,
        "--api-version",
        "2025-04-01-preview",
        "--yes",
        "--no-follow",
        "--poll-interval",
        "0.01",
        env={"AZURE_OPENAI_API_KEY": KEY, "OPENAI_API_KEY": ""},
    )
    assert r.returncode == 0, r.stderr
    assert api.requests and all(
        "api-version=2025-04-01-preview" in q["query"] for q in api.requests
    )
    assert {q["auth"] for q in api.requests} == {KEY}


def test_missing_key_is_a_clear_error(api: FakeOpenAI, tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    r = ftprep(*train_args(api, train, "--yes"), env={"OPENAI_API_KEY": ""})
    assert r.returncode in (1, 2) and "OPENAI_API_KEY" in r.stderr
    assert api.requests == []


def test_ctrl_c_while_following_leaves_the_job_running(capsys: pytest.CaptureFixture[str]) -> None:
    from ftprep.upload.commands import follow_job
    from ftprep.upload.train import Safety

    class Interrupting:
        def get_job(self, job_id: str) -> None:
            raise KeyboardInterrupt

    code = follow_job(Interrupting(), "ftjob-42", Safety(poll_seconds=0), None)
    assert code == 0
    assert (
        "the job keeps running. Follow it again: ftprep jobs follow ftjob-42"
        in capsys.readouterr().err
    )


def test_preference_data_trains_with_dpo(api: FakeOpenAI, tmp_path: Path) -> None:
    pairs = [
        {
            "input": {"messages": [{"role": "user", "content": f"Name a colour number {n}."}]},
            "preferred_output": [{"role": "assistant", "content": f"Blue, number {n}."}],
            "non_preferred_output": [{"role": "assistant", "content": f"I cannot {n}."}],
        }
        for n in range(12)
    ]
    data = tmp_path / "pairs.jsonl"
    data.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in pairs))
    r = ftprep(*train_args(api, data, "--yes", "--no-follow", "--epochs", "2"))
    assert r.returncode == 0, r.stderr
    assert "job: dpo fine-tuning of" in r.stdout
    (job,) = api.calls("POST /fine_tuning/jobs")
    assert job["body"]["method"] == {"type": "dpo", "dpo": {"hyperparameters": {"n_epochs": 2}}}


def test_a_refused_request_stops_with_the_servers_reason(api: FakeOpenAI, tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    api.fail_next("POST /files", 400)
    r = ftprep(*train_args(api, train, "--yes"))
    assert r.returncode == 1
    assert "error: uploading train.jsonl: injected 400 (HTTP 400)" in r.stderr
    assert len(api.calls("POST /files")) == 1  # not retried: it cannot help


def test_an_unreachable_service_is_a_clear_error(tmp_path: Path) -> None:
    train = write_planted(tmp_path / "train.jsonl")
    with FakeOpenAI() as api:
        url = api.base_url
    r = ftprep("upload", str(train), "--base-url", url, "--poll-interval", "0.01")
    address = url.split("/v1")[0].rstrip("/")
    assert r.returncode == 1
    assert f"cannot reach {address} (no connection)" in r.stderr, r.stderr
    assert "--base-url" in r.stderr
