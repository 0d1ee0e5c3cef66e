"""The session layer: the CLI and the Python API resolve a run the same way.

Before the session layer, ``ftprep.lint()`` ignored the project config that ``ftprep lint``
read, so the two disagreed in the same repository; ``convert`` ignored the config's
per-file reading settings that ``lint`` applied.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ftprep
from ftprep.cli import main
from ftprep.session import open_session

CONFIG = """
[tool.ftprep]
ignore = ["SC006"]
extend-select = ["WS003"]

[tool.ftprep.severity]
WS002 = "error"

[tool.ftprep.per-file-ignores]
"data/valid.jsonl" = ["DP001"]

[tool.ftprep.splits]
train = "data/train.jsonl"
valid = "data/valid.jsonl"

[tool.ftprep.files."data/*.csv"]
map = { user = "question", assistant = "answer" }
"""


def chat(user: str, answer: str) -> str:
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    return json.dumps({"messages": messages})


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    train = [chat(f"Question number {i}?", f"Answer {i}.") for i in range(12)]
    train += [chat("Padded ", " trailing space"), chat("Empty", ""), chat("Zero\u200bwidth", "x")]
    (data / "train.jsonl").write_text("\n".join(train) + "\n", encoding="utf-8")
    valid = [chat("Question number 3?", "Answer 3."), chat("Other?", "Yes.")] * 2
    (data / "valid.jsonl").write_text("\n".join(valid) + "\n", encoding="utf-8")
    (data / "faq.csv").write_text("question,answer\nWhat?,That.\nWho?,Them.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    main(["lint", *args, "--output-format", "json", "--exit-zero"])
    return json.loads(capsys.readouterr().out)


def findings(report: dict) -> list[tuple]:
    return sorted(
        (Path(d["file"]).name, d["code"], d["severity"], d.get("line"), d.get("split"))
        for d in report["diagnostics"]
    )


@pytest.mark.parametrize("name", ["train.jsonl", "valid.jsonl", "faq.csv"])
def test_api_and_cli_agree_in_a_project(
    project: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = f"data/{name}"
    by_cli = findings(cli_json([path], capsys))
    by_api = findings(ftprep.lint(path).as_json())
    assert by_api == by_cli
    assert by_cli, "the project's files have findings to compare"


def test_the_config_shapes_the_api_run(project: Path) -> None:
    report = ftprep.lint("data/train.jsonl").as_json()
    codes = {d["code"] for d in report["diagnostics"]}
    severities = {d["code"]: d["severity"] for d in report["diagnostics"]}
    assert "SC006" not in codes  # ignored by the config
    assert "WS003" in codes  # selected by the config
    assert severities["WS002"] == "error"  # its severity from the config
    # The validation file is read with its training file (DP003), reported only as train.
    assert {d["split"] for d in report["diagnostics"]} == {"train"}
    isolated = ftprep.lint("data/train.jsonl", isolated=True).as_json()
    assert "SC006" in {d["code"] for d in isolated["diagnostics"]}


def test_a_validation_file_is_linted_with_its_training_file(project: Path) -> None:
    session = open_session("data/valid.jsonl")
    paired = session.pairing("data/valid.jsonl", inputs=["data/valid.jsonl"])
    assert paired is not None
    assert [split for split, _ in paired.inputs] == ["train", "valid"]
    assert paired.keep == {"valid"}
    # Passed together (a pre-commit chunk), the validation file is linted with train's run.
    both = ["data/train.jsonl", "data/valid.jsonl"]
    assert session.pairing("data/valid.jsonl", position=1, inputs=both) is None
    leaks = [d for d in ftprep.lint("data/valid.jsonl").diagnostics if d.code == "DP003"]
    assert leaks and all(d.split == "valid" for d in leaks)


def test_convert_reads_a_file_as_the_config_says(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["convert", "data/faq.csv", "-o", "faq.jsonl"]) == 0
    rows = [json.loads(line) for line in Path("faq.jsonl").read_text().splitlines()]
    assert rows[0]["messages"][-1] == {"role": "assistant", "content": "That."}
    ftprep.convert("data/faq.csv", "faq_api.jsonl")
    assert Path("faq_api.jsonl").read_text() == Path("faq.jsonl").read_text()
