"""Files that are not UTF-8: the advice names the encoding that reads the whole file, and
following it works; a chosen encoding that fails names the line, column and candidates."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson
import pytest

from .conftest import CORPUS, run_cli
from .corpus_mappings import needs_corpus

SMS = (
    "ham\tGo until jurong point, crazy.. Available only in bugis n great world la e buffet\n"
    "ham\tOk lar... Joking wif u oni...\n"
    "spam\tFree entry in 2 a wkly comp to win FA Cup final tkts \u201821st May\u2019. "
    "Text FA to 87121 to receive entry, \u00a31.50 per msg\n"
    "ham\tU dun say so early hor\u2026 U c already then say\u2026\n"
    "ham\tNah I don\u2019t think he goes to usf, he lives around here though\n"
) * 20


def _convert(path: Path, *extra: str) -> tuple[int, str, list[dict[str, str]]]:
    out = path.with_suffix(".out.jsonl")
    result = run_cli("convert", str(path), *extra, "-o", str(out))
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()] if out.exists() else []
    return result.code, result.out + result.err, records


SMS_ARGS = ("--no-header", "--no-quoting", "--map", "prompt=B", "--map", "completion=A")


@pytest.mark.parametrize(
    ("name", "text", "encoding", "args"),
    [
        ("sms.tsv", SMS, "cp1252", SMS_ARGS),
        (
            "faq.tsv",
            "質問\t回答\n" + "東京の天気は？\t晴れです。明日も晴れるでしょう。\n" * 30,
            "cp932",
            ("--map", "prompt=質問", "--map", "completion=回答"),
        ),
        (
            "faq.csv",
            "вопрос,ответ\n" + 'Как дела?,"Хорошо, спасибо! Всё отлично."\n' * 30,
            "cp1251",
            ("--map", "prompt=вопрос", "--map", "completion=ответ"),
        ),
        (
            "utf16.csv",
            "q,a\n" + "héllo,wörld\n" * 20,
            "utf-16",
            ("--map", "prompt=q", "--map", "completion=a"),
        ),
    ],
)
def test_the_advice_for_a_file_that_is_not_utf8_works(
    tmp_path: Path, name: str, text: str, encoding: str, args: tuple[str, ...]
) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    code, said, _ = _convert(path, *args)
    assert code == 1
    assert f"--encoding {encoding}" in said
    advised = said.split("--encoding ")[1].split()[0].rstrip(",:")
    assert advised == encoding, said
    if encoding != "utf-16":
        assert "at line " in said and "column " in said
    code, said, records = _convert(path, *args, "--encoding", advised)
    assert code == 0, said
    assert len(records) == text.count("\n") - (0 if args == SMS_ARGS else 1)
    first_text = text.splitlines()[0 if args == SMS_ARGS else 1]
    assert first_text.split("\t" if "\t" in first_text else ",")[-1].strip('"') in str(records[0])


def test_a_chosen_encoding_that_fails_names_line_column_and_candidates(tmp_path: Path) -> None:
    path = tmp_path / "sms.tsv"
    path.write_bytes(SMS.encode("cp1252"))
    code, said, _ = _convert(path, *SMS_ARGS, "--encoding", "gbk")
    assert code == 1
    assert "cannot decode as gbk at line " in said and ", column " in said
    assert "decodes as cp1252" in said
    assert "internal error" not in said


def test_an_unknown_encoding_is_named(tmp_path: Path) -> None:
    path = tmp_path / "sms.tsv"
    path.write_bytes(SMS.encode("utf-8"))
    code, said, _ = _convert(path, *SMS_ARGS, "--encoding", "bogus")
    assert code == 1 and "unknown encoding 'bogus'" in said


def test_one_damaged_line_of_a_utf8_jsonl_is_rejected_alone(tmp_path: Path) -> None:
    good = [orjson.dumps({"prompt": f"Grüße {i} ->", "completion": " ok"}) for i in range(12)]
    path = tmp_path / "data.jsonl"
    path.write_bytes(
        b"\n".join([*good[:5], b'{"prompt": "caf\xe9 ->", "completion": " ok"}', *good[5:]]) + b"\n"
    )
    _code, said, records = _convert(path)
    assert "read 13" not in said  # convert says "Converted N records"
    assert "Converted 13 records: 12 written" in said
    assert len(records) == 12
    rejected = [
        orjson.loads(x) for x in path.with_suffix(".out.rejected.jsonl").read_bytes().splitlines()
    ]
    assert [r["source"]["line"] for r in rejected] == [6]
    assert base64.b64decode(rejected[0]["input_base64"]).endswith(b'"completion": " ok"}')
    assert "not valid UTF-8 at column 16" in str(rejected[0])
    assert "damaged" in str(rejected[0])


def test_a_jsonl_in_cp1252_gets_the_file_advice_on_each_line(tmp_path: Path) -> None:
    lines = [{"prompt": f"Qu’est-ce que c’est {i} ->", "completion": " café"} for i in range(5)]
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"".join(orjson.dumps(x).decode().encode("cp1252") + b"\n" for x in lines))
    result = run_cli("lint", str(path), "--select", "IO002", "--output-format", "json")
    report = orjson.loads(result.out)
    assert len(report["diagnostics"]) == 5
    assert all("--encoding cp1252" in d["message"] for d in report["diagnostics"])
    code, _said, records = _convert(path, "--encoding", "cp1252")
    assert code == 0 and len(records) == 5


def test_utf16_jsonl_is_named(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes('{"prompt": "a", "completion": " b"}\n'.encode("utf-16"))
    result = run_cli("lint", str(path))
    assert result.code == 1
    assert "UTF-16" in result.out + result.err and "--encoding utf-16" in result.out + result.err


@needs_corpus()
def test_corpus_sms_exported_as_cp1252_is_advised_right(tmp_path: Path) -> None:
    text = (CORPUS / "sms_spam_collection.tsv").read_text(encoding="utf-8")
    text = text.replace("'", "\u2019").replace("$", "\u00a3")
    path = tmp_path / "sms.tsv"
    path.write_bytes(text.encode("cp1252", errors="replace"))
    code, said, _ = _convert(path, *SMS_ARGS)
    assert "re-run with --encoding cp1252" in said
    code, said, records = _convert(path, *SMS_ARGS, "--encoding", "cp1252")
    assert code == 0 and len(records) == text.count("\n")
