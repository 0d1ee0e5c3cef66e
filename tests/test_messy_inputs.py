"""Messy files as they exist in the wild: every row ends up where it belongs, and every
file the tool cannot take as given gets the hint that makes it work."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from ftprep import api

from .conftest import CORPUS, run_cli
from .corpus_mappings import needs_corpus


def _records(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


SMS = 'ham\tOk lar... Joking wif u oni...\nspam\tFree entry in 2 a wkly comp\nham\t"Come over now\nham\tok" he said\n'


def test_a_line_oriented_tsv_keeps_one_row_per_line(tmp_path: Path) -> None:
    path = tmp_path / "sms.tsv"
    path.write_text("label\ttext\n" + SMS, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_cli(
        "convert", str(path), "--map", "prompt=text", "--map", "completion=label", "-o", str(out)
    )
    assert result.code == 0, result.err
    assert "quotes read as text" in result.out
    records = _records(out)
    assert len(records) == 4
    assert records[2] == {"prompt": '"Come over now', "completion": "ham"}
    # Asked for, CSV quoting merges the two lines around the quotes into one record.
    forced = run_cli(
        "lint",
        str(path),
        "--quoting",
        "--map",
        "prompt=text",
        "--map",
        "completion=label",
        "--select",
        "IO010",
        "--output-format",
        "json",
    )
    diagnostics = orjson.loads(forced.out)["diagnostics"]
    assert [d["code"] for d in diagnostics] == ["IO010"] and "--no-quoting" in diagnostics[0][
        "message"
    ]


def test_a_first_row_that_is_data_gets_the_no_header_hint(tmp_path: Path) -> None:
    path = tmp_path / "sms.tsv"
    path.write_text(SMS * 3, encoding="utf-8")
    result = run_cli("convert", str(path), "-o", str(tmp_path / "o.jsonl"))
    assert result.code == 2
    assert "The first row looks like data" in result.err and "--no-header" in result.err
    result = run_cli(
        "convert",
        str(path),
        "--map",
        "prompt=B",
        "--map",
        "completion=A",
        "-o",
        str(tmp_path / "o.jsonl"),
    )
    assert "no column 'B'" in result.err and "--no-header" in result.err
    ok = run_cli(
        "convert",
        str(path),
        "--no-header",
        "--map",
        "prompt=B",
        "--map",
        "completion=A",
        "-o",
        str(tmp_path / "o.jsonl"),
    )
    assert ok.code == 0 and "Converted 12 records: 12 written" in ok.out


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        (b"question,answer\nHi,Hello\n", "--format csv"),
        (b'{"prompt": "a", "completion": " b"}\n', "--format json"),
    ],
)
def test_a_text_file_named_xlsx_says_what_it_is(tmp_path: Path, content: bytes, hint: str) -> None:
    path = tmp_path / "data.xlsx"
    path.write_bytes(content)
    result = run_cli("lint", str(path))
    assert result.code == 1
    assert hint in result.out and "could not be read" in result.out


def test_convert_says_how_many_answers_are_empty(tmp_path: Path) -> None:
    path = tmp_path / "faq.csv"
    path.write_text(
        "question,answer\n" + "".join(f"Q{i}?,\n" for i in range(8)) + "Q9?,Yes\n", "utf-8"
    )
    result = run_cli("convert", str(path), "-o", str(tmp_path / "o.jsonl"))
    assert "8 of 9 written records have an empty answer" in result.out
    assert "structure errors a trainer would reject (SC006 ×8)" in result.out


def test_cr_only_line_endings_read_like_lf(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"question,answer\rHi,Hello\rBye,See you\r")
    out = tmp_path / "o.jsonl"
    result = run_cli(
        "convert",
        str(path),
        "--map",
        "prompt=question",
        "--map",
        "completion=answer",
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    assert _records(out) == [
        {"prompt": "Hi", "completion": "Hello"},
        {"prompt": "Bye", "completion": "See you"},
    ]


def test_text_spilled_into_unnamed_columns_is_kept(tmp_path: Path) -> None:
    """Kaggle's spam.csv: `v1,v2,,,` and messages whose commas moved their ends right."""
    path = tmp_path / "spam.csv"
    path.write_text("v1,v2,,,\nham,Ok lar,,,\nspam,Free entry, win a prize, text WIN,\n", "utf-8")
    out = tmp_path / "o.jsonl"
    result = run_cli(
        "convert", str(path), "--map", "prompt=v2", "--map", "completion=v1", "-o", str(out)
    )
    assert result.code == 0
    assert _records(out)[1]["prompt"] == "Free entry, win a prize, text WIN"
    report = api.lint(str(path), mapping={"prompt": "v2", "completion": "v1"}, select=["IO009"])
    assert [(d.line, "joined back" in d.message) for d in report.diagnostics] == [(3, True)]


def test_case_differing_keys_are_checked_as_the_keys_they_mean(tmp_path: Path) -> None:
    path = tmp_path / "legacy.jsonl"
    path.write_text(
        "".join(f'{{"Prompt": "Q{i} ->", "Completion": " A{i}\\n"}}\n' for i in range(9))
        + '{"Prompt": "Q9", "Completion": " A9\\n"}\n',
        encoding="utf-8",
    )
    report = api.lint(str(path))
    codes = [(d.code, d.line) for d in report.diagnostics]
    assert ("SP002", 10) in codes  # the separator rule still speaks
    assert sum(1 for c, _ in codes if c == "SC002") == 20  # both keys of every record
    out = tmp_path / "fixed.jsonl"
    fixed = api.fix(str(path), str(out))
    assert fixed.applied["SC002"] == 20
    assert _records(out)[9] == {"prompt": "Q9 ->", "completion": " A9\n"}


def test_preference_from_two_whole_conversations(tmp_path: Path) -> None:
    path = tmp_path / "hh.jsonl"
    row = {
        "chosen_messages": [
            {"role": "user", "content": "Hi there"},
            {"role": "assistant", "content": "Hello! How can I help?"},
        ],
        "rejected_messages": [
            {"role": "user", "content": "Hi there"},
            {"role": "assistant", "content": "Go away."},
        ],
    }
    path.write_bytes(orjson.dumps(row) + b"\n")
    hint = run_cli("convert", str(path), "-o", str(tmp_path / "o.jsonl"))
    assert (
        "--to preference --map chosen=chosen_messages --map rejected=rejected_messages" in hint.err
    )
    out = tmp_path / "o.jsonl"
    result = run_cli(
        "convert",
        str(path),
        "--to",
        "preference",
        "--map",
        "chosen=chosen_messages",
        "--map",
        "rejected=rejected_messages",
        "-o",
        str(out),
    )
    assert result.code == 0, result.err
    assert _records(out) == [
        {
            "input": {"messages": [{"role": "user", "content": "Hi there"}]},
            "preferred_output": [{"role": "assistant", "content": "Hello! How can I help?"}],
            "non_preferred_output": [{"role": "assistant", "content": "Go away."}],
        }
    ]


def test_templates_are_checked_like_maps(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Question,Answer\nHi,Hello\n", "utf-8")
    base = ("convert", str(path), "-o", str(tmp_path / "o.jsonl"), "--map", "completion=Answer")
    assert run_cli(*base, "--template", "Q: {question}").code == 0  # case-insensitive
    bad = run_cli(*base, "--template", "bogus=Q: {Question}")
    assert bad.code == 2 and "unknown role 'bogus'" in bad.err
    unclosed = run_cli(*base, "--template", "Q: {Question")
    assert unclosed.code == 2 and "opens no placeholder" in unclosed.err
    both = run_cli(*base, "--template", "Q: {Question}", "--map", "prompt=Question")
    assert both.code == 2 and "keep one of them" in both.err


@needs_corpus()
def test_llamafactory_messages_convert_to_what_lint_accepts(tmp_path: Path) -> None:
    out = tmp_path / "sft.jsonl"
    result = run_cli("convert", str(CORPUS / "llamafactory_v1_sft_demo.jsonl"), "-o", str(out))
    assert result.code == 0 and "llamafactory-messages layout -> chat" in result.out
    assert "structure errors" not in result.out
    first = _records(out)[0]
    assert first["messages"][0] == {"role": "user", "content": "hi"}
    assert not [d for d in api.lint(str(out)).diagnostics if d.severity.value == "error"]
    # The JSONL itself is linted as a trainer would read it: content parts OpenAI rejects.
    raw = api.lint(str(CORPUS / "llamafactory_v1_sft_demo.jsonl"), select=["SC014"])
    assert len(raw.diagnostics) == 1000


@needs_corpus()
def test_an_openassistant_tree_gets_json_pointer_candidates(tmp_path: Path) -> None:
    result = run_cli(
        "convert", str(CORPUS / "oasst_en_100_message.jsonl"), "-o", str(tmp_path / "o.jsonl")
    )
    assert result.code == 2
    assert "--map user=text --map assistant=/replies/0/text" in result.err
