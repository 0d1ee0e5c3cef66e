"""The Python API, and clean data staying clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ftprep
from ftprep.core.errors import UsageError

from .conftest import FIXTURES


def clean_chat(path: Path, n: int = 120) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(
                json.dumps(
                    {
                        "messages": [
                            {
                                "role": "system",
                                "content": "You answer questions about our opening hours.",
                            },
                            {"role": "user", "content": f"Are you open on day {i} of the month?"},
                            {
                                "role": "assistant",
                                "content": f"Yes, on day {i} we are open from 9 to 17.",
                            },
                        ]
                    }
                )
                + "\n"
            )
    return path


def clean_completion(path: Path, n: int = 120) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(
                json.dumps(
                    {
                        "prompt": f"Order {i}: two coffees ->",
                        "completion": f" {7 + i} euros for order {i}, please.\n",
                    }
                )
                + "\n"
            )
    return path


@pytest.mark.parametrize("make", [clean_chat, clean_completion])
def test_clean_data_has_no_warnings_or_errors(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = ftprep.lint(str(make(tmp_path / "clean.jsonl")))
    assert report.ok
    assert report.summary.errors == 0 and report.summary.warnings == 0, [
        (d.code, d.message) for d in report.diagnostics
    ]
    assert [d.code for d in report.diagnostics] == ["TK004"]


def test_lint_returns_a_pydantic_report_with_files_and_tokens(tmp_path: Path) -> None:
    report = ftprep.lint(str(clean_chat(tmp_path / "t.jsonl")), model="gpt-4o-mini")
    assert report.files[0].records == 120
    assert report.files[0].model == "gpt-4o-mini-2024-07-18"
    assert report.files[0].tokens["encoding"] == "o200k_base"
    data = report.as_json()
    assert data["version"] == 1 and data["summary"]["problems"] == 0
    assert report.model_dump()["files"][0]["profile"] == "openai-chat"


def test_convert_and_fix_from_python(tmp_path: Path) -> None:
    out = tmp_path / "faq.jsonl"
    result = ftprep.convert(
        str(FIXTURES / "inputs/faq_two_sheets.xlsx"),
        str(out),
        sheet="faq",
        mapping={"prompt": "Question", "completion": "Answer"},
    )
    assert (result.read, result.written, result.rejected) == (3, 3, 0)
    fixed = ftprep.fix(str(out), str(tmp_path / "fixed.jsonl"), select=["WS001"])
    # "9 to 5, ..." takes no space: cl100k_base never joins a space to a digit.
    assert fixed.applied == {"WS001": 2}
    rows = (tmp_path / "fixed.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(rows[0]) == {
        "prompt": "Opening hours?",
        "completion": "9 to 5, Monday to Friday.",
    }
    assert all(json.loads(r)["completion"].startswith(" ") for r in rows[1:])


def test_bad_mapping_raises_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="did you mean 'body'"):
        ftprep.convert(
            str(FIXTURES / "inputs/tickets.csv"),
            str(tmp_path / "o.jsonl"),
            mapping={"prompt": "bdy", "completion": "reply"},
        )


def test_profile_extends_and_options_are_validated(tmp_path: Path) -> None:
    from ftprep.core.config import load_profile
    from ftprep.core.errors import ConfigError

    chat = load_profile("openai-chat")
    assert chat.target.min_examples == 10 and "SC" in chat.select
    custom = tmp_path / "strict.toml"
    custom.write_text(
        'extends = "openai-completion"\nfail-on = "warning"\n'
        "[rules.missing-prompt-separator]\nmin-share = 0.9\n",
        encoding="utf-8",
    )
    profile = load_profile(str(custom))
    assert profile.fail_on == "warning" and profile.target.record_keys == ("prompt", "completion")
    report = ftprep.lint(str(clean_completion(tmp_path / "c.jsonl")), profile=str(custom))
    assert report.ok
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "base"\nselct = ["SP"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="did you mean 'select'"):
        load_profile(str(bad))
    with pytest.raises(ConfigError, match="allowed: candidates, min-share"):
        ftprep.lint(
            str(clean_completion(tmp_path / "d.jsonl")), rule_options={"SP001": {"min_shar": 1}}
        )
