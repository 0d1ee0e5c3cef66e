"""Small breaks between the commands, each once a dead end for a user."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from .conftest import run_cli

ROW = b'{"messages": [{"role": "user", "content": "Where is my parcel?"}, {"role": "assistant", "content": "On its way."}]}\n'


@pytest.mark.parametrize(
    "args",
    [
        ("--valid", "typo.jsonl", "--select", "DP003"),
        ("--against", "typo.jsonl", "--select", "DP003"),
        ("--valid", "typo.jsonl", "--ignore", "IO001"),
    ],
)
def test_a_missing_file_never_passes(
    tmp_path: Path, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.jsonl").write_bytes(ROW * 12)
    result = run_cli("lint", "train.jsonl", *args)
    assert result.code == 1
    assert "typo.jsonl: IO001 [error] no such file" in result.out
    assert "All checks passed" not in result.out
    missing = run_cli("lint", "nope.jsonl", "--select", "DP003")
    assert missing.code == 1 and "no such file" in missing.out


def test_the_fix_report_with_a_validation_file_counts_its_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.jsonl").write_bytes(ROW * 12)
    bad = b'{"messages": [{"role": "user", "content": "Hi"}, {"role": "bot", "content": "Hey"}]}\n'
    (tmp_path / "valid.jsonl").write_bytes(bad + bad.replace(b"Hi", b"Yo"))
    result = run_cli(
        "lint",
        "train.jsonl",
        "--valid",
        "valid.jsonl",
        "--fix",
        "-o",
        "t.jsonl",
        "--valid-output",
        "v.jsonl",
        "--output-format",
        "json",
        "--select",
        "SC007,SC004,DP003",
    )
    report = orjson.loads(result.out)
    # The validation file's role fix was applied, and its findings after fixing are counted.
    assert report["fixed"]["by_code"] == {"SC004": 2}
    assert {d["file"] for d in report["diagnostics"]} <= {"t.jsonl", "v.jsonl"}
    assert any(f["file"] == "v.jsonl" for f in report["files"])


def test_a_missing_api_key_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("AZURE_OPENAI_ENDPOINT", raising=False)
    result = run_cli("jobs", "list")
    assert result.code == 1 and "set OPENAI_API_KEY" in result.err
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "k")
    monkeypatch.delenv("OPENAI_API_VERSION", raising=False)
    result = run_cli("jobs", "list")
    assert result.code == 1 and "--api-version" in result.err


def test_a_model_is_described_in_the_config_not_in_site_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "train.jsonl").write_bytes(ROW * 12)
    unknown = run_cli("lint", "train.jsonl", "--model", "acme-7b")
    assert unknown.code == 2 and '[models."acme-7b"]' in unknown.err
    assert "edit rules/models.toml" not in unknown.err
    (tmp_path / "ftprep.toml").write_text(
        '[models."acme-7b"]\nencoding = "cl100k_base"\nmax-tokens = 8192\nprice = 2.5\n'
        'price-read = "2026-12"\n'
    )
    known = run_cli("lint", "train.jsonl", "--model", "acme-7b")
    assert known.code == 0 and "cl100k_base for acme-7b" in known.out and "$2.50/1M" in known.out


def test_messages_count_in_the_singular_too(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("question,answer\nHi,Hello\n", encoding="utf-8")
    converted = run_cli("convert", str(path), "-o", str(tmp_path / "one.jsonl"))
    assert "Converted 1 record: 1 written" in converted.out
    linted = run_cli("lint", str(tmp_path / "one.jsonl"))
    assert "1 record, read as" in linted.out and "1 records" not in linted.out
