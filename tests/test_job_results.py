"""`ftprep jobs results`: the real openai SDK reads a job's result file (a real CSV) and
checkpoints from the loopback stand-in API; the curves, warnings and files it writes."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ftprep.upload.results import Metrics, parse_results, sparkline, warnings
from tests.fake_openai import FakeOpenAI
from tests.test_upload import KEY, ftprep


def result_csv(steps: int = 60, overfit: bool = False, flat: bool = False) -> bytes:
    """A result file as OpenAI writes it: validation cells empty between evaluations."""
    lines = ["step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"]
    for step in range(1, steps + 1):
        wobble = 0.04 * math.sin(step * 1.7)
        train = 1.6 + wobble if flat else 2.2 * math.exp(-step / 15) + 0.3 + wobble
        accuracy = 0.5 if flat else 0.9 - 0.4 * math.exp(-step / 15)
        valid = valid_acc = ""
        if step % 5 == 0:
            if flat:
                v = 1.62
            elif overfit and step > 25:
                v = 0.75 + 0.02 * (step - 25)
            else:
                v = 2.3 * math.exp(-step / 15) + 0.45
            valid, valid_acc = f"{v:.4f}", f"{accuracy - 0.05:.4f}"
        lines.append(f"{step},{train:.4f},{accuracy:.4f},{valid},{valid_acc}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def api() -> FakeOpenAI:
    with FakeOpenAI() as server:
        yield server


def finished_job(api: FakeOpenAI, csv: bytes) -> str:
    training = api.store_file("train.jsonl", b'{"messages": []}\n')
    job = api.create_job({"model": "gpt-4.1-mini-2025-04-14", "training_file": training["id"]})
    api.finish_job(job["id"], csv)
    return str(job["id"])


def results(api: FakeOpenAI, job_id: str, *extra: str):  # type: ignore[no-untyped-def]
    return ftprep("jobs", "results", job_id, "--base-url", api.base_url, *extra)


def test_results_show_curves_checkpoints_and_write_files(api: FakeOpenAI, tmp_path: Path) -> None:
    job_id = finished_job(api, result_csv())
    out = tmp_path / "results"
    r = results(api, job_id, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert f"{job_id} succeeded" in r.stdout
    assert "60 steps" in r.stdout
    loss_line = next(x for x in r.stdout.splitlines() if x.strip().startswith("training loss"))
    assert "2.398 → 0.380" in loss_line  # the first value, then the last
    assert loss_line.count("█") >= 1 and "▁" in loss_line
    assert "validation loss" in r.stdout
    # The checkpoints the API lists, with their step and metrics.
    assert "ckpt-step-40" in r.stdout and "ckpt-step-60" in r.stdout
    assert "over-fitting" not in r.stdout and "flat loss" not in r.stdout
    page = (out / f"{job_id}-results.html").read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and "<script" not in page
    png = (out / f"{job_id}-loss.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5_000
    assert (out / f"{job_id}-results.csv").read_bytes() == result_csv()
    # The result file was downloaded and the checkpoints listed through the API.
    assert api.calls(r"GET /files/file-\d+/content")
    assert api.calls(f"GET /fine_tuning/jobs/{job_id}/checkpoints")
    # Same results, same files.
    again = tmp_path / "again"
    assert results(api, job_id, "-o", str(again)).returncode == 0
    for name in (f"{job_id}-results.html", f"{job_id}-loss.png"):
        assert (again / name).read_bytes() == (out / name).read_bytes()


def test_overfitting_is_flagged_with_the_best_step(api: FakeOpenAI) -> None:
    r = results(api, finished_job(api, result_csv(overfit=True)))
    assert r.returncode == 0
    assert "over-fitting: the validation loss rose from" in r.stdout
    assert "at step 30" in r.stdout  # the lowest validation loss


def test_flat_loss_is_flagged(api: FakeOpenAI) -> None:
    r = results(api, finished_job(api, result_csv(flat=True)))
    assert "flat loss" in r.stdout


def test_running_job_has_no_result_file_yet(api: FakeOpenAI) -> None:
    training = api.store_file("train.jsonl", b'{"messages": []}\n')
    job = api.create_job({"model": "gpt-4.1-mini-2025-04-14", "training_file": training["id"]})
    api.jobs[job["id"]]["status"] = "running"
    r = results(api, job["id"])
    assert r.returncode == 1
    assert "no result file yet" in r.stderr
    assert f"ftprep jobs follow {job['id']}" in r.stderr
    assert "Traceback" not in r.stderr


def test_failed_job_says_why(api: FakeOpenAI) -> None:
    training = api.store_file("train.jsonl", b'{"messages": []}\nFAIL_JOB\n')
    job = api.create_job({"model": "gpt-4.1-mini-2025-04-14", "training_file": training["id"]})
    for _ in range(3):
        api.advance(job["id"])
    assert api.jobs[job["id"]]["status"] == "failed"
    r = results(api, job["id"])
    assert r.returncode == 1
    assert "failed" in r.stderr and "line 2 has too many tokens" in r.stderr
    assert "Traceback" not in r.stderr and KEY not in r.stderr


def test_unknown_job_is_a_clear_error(api: FakeOpenAI) -> None:
    r = results(api, "ftjob-999")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "ftjob-999" in r.stderr


# -- the analysis, directly -------------------------------------------------------------
def test_parse_reads_sparse_validation_columns() -> None:
    metrics = parse_results(result_csv(steps=12))
    assert metrics.steps == list(range(1, 13))
    assert [s for s, _ in metrics.valid_loss] == [5, 10]


def test_parse_rejects_a_file_without_the_columns() -> None:
    with pytest.raises(ValueError, match="no step and train_loss columns"):
        parse_results(b"epoch,loss\n1,2\n")


def test_a_falling_validation_loss_is_not_overfitting() -> None:
    m = Metrics(
        steps=[1, 2, 3, 4, 5, 6],
        train_loss=[2.0, 1.5, 1.2, 1.0, 0.9, 0.8],
        valid_loss=[(1, 2.1), (2, 1.7), (3, 1.4), (4, 1.3), (5, 1.31), (6, 1.29)],
    )
    assert warnings(m) == []  # a wobble within 5% is not a rise


def test_sparkline_spans_low_to_high() -> None:
    assert sparkline([3.0, 2.0, 1.0]) == "█▅▁"
