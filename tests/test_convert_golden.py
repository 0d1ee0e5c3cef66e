"""Golden conversions: each input in fixtures/inputs converts byte for byte as recorded."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pytest

from .conftest import FIXTURES, ROOT, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

GOLDEN = FIXTURES / "golden"
CASES = tomllib.loads((GOLDEN / "cases.toml").read_text(encoding="utf-8"))["case"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_golden_conversion(case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "out.jsonl"
    rejected = tmp_path / "out.rejected.jsonl"
    src = f"fixtures/inputs/{case['input']}"
    result = run_cli("convert", src, *case["args"], "-o", str(out), "--rejected", str(rejected))
    assert out.read_bytes() == (GOLDEN / f"{case['name']}.jsonl").read_bytes()
    golden_rejected = GOLDEN / f"{case['name']}.rejected.jsonl"
    if golden_rejected.exists():
        assert rejected.read_bytes() == golden_rejected.read_bytes()
        assert result.code == 1
    else:
        assert not rejected.exists()
        assert result.code == 0
    # read = written + rejected, as the summary line says.
    written = len(out.read_bytes().splitlines())
    n_rejected = len(rejected.read_bytes().splitlines()) if rejected.exists() else 0
    n = written + n_rejected
    assert f"Converted {n:,} record{'s' if n != 1 else ''}: {written:,} written" in result.out


def test_output_is_utf8_lf_no_bom_and_not_ascii_escaped(tmp_path: Path) -> None:
    out = tmp_path / "gbk.jsonl"
    run_cli(
        "convert",
        str(FIXTURES / "inputs/faq_gbk.csv"),
        "--encoding",
        "gbk",
        "--map",
        "prompt=问题",
        "--map",
        "completion=回答",
        "-o",
        str(out),
    )
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in data and data.endswith(b"\n")
    assert "咖啡".encode() in data and b"\\u" not in data


def test_conversion_is_deterministic(tmp_path: Path) -> None:
    outs = []
    for i in range(2):
        out = tmp_path / f"run{i}.jsonl"
        run_cli("convert", str(FIXTURES / "inputs/sharegpt.json"), "-o", str(out))
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_rejected_rows_carry_reason_and_source(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    run_cli("convert", str(FIXTURES / "inputs/broken.jsonl"), "-o", str(out))
    rejected = [
        orjson.loads(line) for line in (tmp_path / "out.rejected.jsonl").read_bytes().splitlines()
    ]
    assert [r["source"]["line"] for r in rejected] == [2, 3]
    assert [r["reasons"][0]["code"] for r in rejected] == ["IO002", "IO003"]
    assert rejected[1]["input"] == ["not", "an", "object"]


def test_template_placeholder_must_name_a_column(tmp_path: Path) -> None:
    result = run_cli(
        "convert",
        str(FIXTURES / "inputs/tickets.csv"),
        "--template",
        "Q: {bdy}",
        "--map",
        "completion=reply",
        "-o",
        str(tmp_path / "o.jsonl"),
    )
    assert result.code == 2
    assert "no column 'bdy' (did you mean 'body'?)" in result.err


def test_unknown_layout_lists_columns(tmp_path: Path) -> None:
    src = tmp_path / "odd.csv"
    src.write_text("alpha,beta\n1,2\n", encoding="utf-8")
    result = run_cli("convert", str(src), "-o", str(tmp_path / "o.jsonl"))
    assert result.code == 2
    assert "columns found: 'alpha', 'beta'" in result.err
    assert "--map prompt=COLUMN" in result.err


def test_several_sheets_without_sheet_lists_them(tmp_path: Path) -> None:
    result = run_cli(
        "convert", str(FIXTURES / "inputs/faq_two_sheets.xlsx"), "-o", str(tmp_path / "o.jsonl")
    )
    assert result.code == 1
    assert "notes, faq" in result.err and "--sheet" in result.err


def test_sheet_is_picked_by_the_mapped_columns(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    result = run_cli(
        "convert",
        str(FIXTURES / "inputs/faq_two_sheets.xlsx"),
        "--map",
        "prompt=Question",
        "--map",
        "completion=Answer",
        "-o",
        str(out),
    )
    assert result.code == 0
    assert out.read_bytes() == (GOLDEN / "faq_xlsx_completion.jsonl").read_bytes()


def test_convert_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    src.write_text('{"prompt": "a", "completion": " b"}\n', encoding="utf-8")
    result = run_cli("convert", str(src), "-o", str(src))
    assert result.code == 2 and "are the same file" in result.err
