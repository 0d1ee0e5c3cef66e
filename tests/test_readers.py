"""Readers keep every cell exactly as written and say where each record came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftprep.pipeline import RunOptions, iter_slots, open_input
from ftprep.readers import ReadError, ReadOptions, open_source
from ftprep.readers.jsonl import JsonlSource, count_lines
from ftprep.readers.tabular import column_letters, sniff_delimiter
from ftprep.readers.xlsx import render_cell

from .conftest import INPUTS


def rows_of(path: Path | str, **read: object) -> list[tuple[int, dict]]:
    source = open_source(str(path), ReadOptions(**read))  # type: ignore[arg-type]
    out = []
    for job in source.jobs():
        result = job.run()
        out += [(r.line, r.data) for r in result.records]
    return out


def test_csv_sentinels_and_numbers_survive_as_text() -> None:
    rows = rows_of(INPUTS / "tickets.csv")
    agents = [data["agent"] for _, data in rows]
    assert agents == ["NA", "None", "null", "nan", ""]
    assert rows[3][1]["reply"] == "Yes, 007 ships in 1.50 days on average."
    assert rows[2][1]["reply"] == ""  # an empty cell stays an empty string


def test_csv_multiline_cell_is_one_cell_and_rows_start_on_their_physical_line() -> None:
    rows = rows_of(INPUTS / "tickets.csv")
    assert rows[0][1]["body"] == "My order #1234 never arrived.\nIt was due on Monday."
    # the header is line 1; the first record spans lines 2-3; an empty line is skipped
    assert [line for line, _ in rows] == [2, 4, 5, 6, 8]


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("a,b\n1,2\n3,4\n", ","),
        ("a;b;c\n1,5;2;3\n4;5;6\n", ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("a|b\n1|2\n", "|"),
        ('q,a\n"x; y",z\n"p; q",r\n', ","),
    ],
)
def test_delimiter_sniffing(sample: str, expected: str) -> None:
    assert sniff_delimiter(sample) == expected


def test_semicolon_csv_with_decimal_commas() -> None:
    rows = rows_of(INPUTS / "faq_semicolon.csv")
    assert rows[0][1] == {
        "frage": "Wie spät ist es?",
        "antwort": "Es ist drei Uhr.",
        "preis": "1,50",
    }


@pytest.mark.parametrize(
    ("name", "encoding", "column", "first"),
    [
        ("faq_cp1252.csv", "cp1252", "question", "Où est le café ?"),
        ("faq_gbk.csv", "gbk", "问题", "咖啡在哪里？"),
        ("faq_shift_jis.csv", "shift_jis", "質問", "駅はどこですか？"),
    ],
)
def test_encodings_transcode_with_encoding(
    name: str, encoding: str, column: str, first: str
) -> None:
    rows = rows_of(INPUTS / name, encoding=encoding)
    assert rows[0][1][column] == first


def test_undecodable_bytes_name_offset_and_encodings() -> None:
    with pytest.raises(ReadError) as exc:
        open_source(str(INPUTS / "faq_cp1252.csv"))
    message = str(exc.value)
    assert "not valid UTF-8 at line 2, column 2 (byte 0xf9)" in message
    assert "the whole file decodes as cp1252" in message
    assert "--encoding cp1252" in message
    assert exc.value.line == 2


def test_bom_is_stripped_from_the_first_header() -> None:
    source = open_source(str(INPUTS / "faq_bom.csv"))
    rows = [r for job in source.jobs() for r in job.run().records]
    assert "question" in rows[0].data
    assert [code for code, _ in source.file_issues()] == ["IO004"]


def test_xlsx_cached_formulas_dates_numbers_and_text_numbers() -> None:
    rows = rows_of(INPUTS / "faq_two_sheets.xlsx", sheet="faq")
    first = rows[0][1]
    assert first["Code"] == "007"
    assert first["Price"] == "1.50"
    assert first["Updated"] == "2024-03-14"
    assert first["Total"] == "3"
    assert [r[1]["Answer"] for r in rows] == ["9 to 5, Monday to Friday.", "NA", "None"]
    assert [line for line, _ in rows] == [2, 3, 4]


def test_xlsx_unknown_sheet_lists_sheets() -> None:
    with pytest.raises(ReadError, match="no sheet named 'x'; sheets: notes, faq"):
        open_source(str(INPUTS / "faq_two_sheets.xlsx"), ReadOptions(sheet="x"))


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (1.0, "General", "1"),
        (0.5, "0%", "50%"),
        (1234.5, "#,##0.00", "1,234.50"),
        (3.14159, "0.00", "3.14"),
        (True, "General", "TRUE"),
        (None, "General", ""),
    ],
)
def test_cells_render_as_excel_shows_them(value: object, fmt: str, shown: str) -> None:
    assert render_cell(value, fmt) == shown


def test_dates_render_with_their_format() -> None:
    import datetime as dt

    assert render_cell(dt.datetime(2024, 3, 14), "m/d/yyyy") == "3/14/2024"
    assert render_cell(dt.datetime(2024, 3, 14, 9, 5), "yyyy-mm-dd hh:mm") == "2024-03-14 09:05"


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("array.json", "json-array"),
        ("object_array.json", "json-object-array"),
        ("pretty.json", "json-objects"),
        ("jsonl_in.json", "jsonl-in-json"),
    ],
)
def test_json_layouts_are_recognised_from_content(name: str, layout: str) -> None:
    source = open_source(str(INPUTS / name))
    assert source.info.layout == layout


def test_json_array_records_know_their_line() -> None:
    rows = rows_of(INPUTS / "array.json")
    assert [line for line, _ in rows] == [2, 3]


def test_pretty_printed_objects_know_their_line() -> None:
    rows = rows_of(INPUTS / "pretty.json")
    assert [line for line, _ in rows] == [1, 6]


def test_jsonl_slots_keep_order_with_rejections() -> None:
    opened = open_input(str(INPUTS / "broken.jsonl"), RunOptions())
    slots = list(iter_slots(opened.source))
    assert [(s.index, s.line, s.record is not None) for s in slots] == [
        (0, 1, True),
        (1, 2, False),
        (2, 3, False),
        (3, 5, True),
    ]


def test_jsonl_chunks_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    lines = []
    for i in range(2000):
        lines.append(f'{{"prompt": "question {i}", "completion": " answer {i}"}}')
        if i % 100 == 0:
            lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = open_source(str(path), ReadOptions(chunk_bytes=4096))
    records = [r for job in source.jobs() for r in job.run().records]
    assert len(records) == 2000
    assert [r.index for r in records] == list(range(2000))
    for r in records:
        assert lines[r.line - 1].startswith(f'{{"prompt": "question {r.index}"')


def test_jsonl_reads_its_last_blocks_smaller_and_loses_nothing(tmp_path: Path) -> None:
    """The tail of a file comes in smaller jobs (so parallel workers finish together)."""
    path = tmp_path / "tail.jsonl"
    path.write_text(
        "".join(f'{{"prompt": "q {i} {"x" * 90}", "completion": " a"}}\n' for i in range(12_000)),
        encoding="utf-8",
    )
    for data in (None, path.read_bytes()):  # from the file, and from memory (stdin)
        source = JsonlSource(str(path), data=data, chunk_bytes=256 * 1024)
        sizes = [len(job.data) for job in source.jobs()]
        assert sum(sizes) == path.stat().st_size
        assert max(sizes[-4:]) < 128 * 1024 < min(sizes[:2])
        records = [r for job in source.jobs() for r in job.run().records]
        assert [r.index for r in records] == list(range(12_000))
        assert [r.line for r in records] == list(range(1, 12_001))


def test_a_jsonl_job_travels_to_a_worker_without_its_bytes(tmp_path: Path) -> None:
    """A job read from a file pickles as (path, offset, size); the worker reads the bytes."""
    import pickle

    path = tmp_path / "jobs.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + b"".join(b'{"prompt": "q %d", "completion": " a"}\n' % i for i in range(5000))
    )
    jobs = list(JsonlSource(str(path), chunk_bytes=16 * 1024).jobs())
    assert len(jobs) > 3
    for job in jobs:
        wire = pickle.dumps(job)
        assert len(wire) < len(job.data) // 10
        copy = pickle.loads(wire)
        assert copy.data == job.data
        assert copy.run().records == job.run().records
    in_memory = next(iter(JsonlSource(str(path), data=path.read_bytes()).jobs()))
    assert pickle.loads(pickle.dumps(in_memory)).data == in_memory.data


def test_column_letters() -> None:
    assert column_letters(28)[-3:] == ["Z", "AA", "AB"]


def test_unknown_extension_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="unknown file type"):
        open_source(str(INPUTS / "README.txt"))
    with pytest.raises(ReadError, match="directory"):
        open_source(str(tmp_path) + "/", ReadOptions(format="jsonl"))


def test_cell_cut_at_excels_limit_is_reported(tmp_path: Path) -> None:
    from ftprep import api

    path = tmp_path / "long.csv"
    path.write_text("text,label\n" + "x" * 32767 + ",a\nshort,b\n", encoding="utf-8")
    report = api.lint(
        str(path), select=["IO007"], mapping={"prompt": "text", "completion": "label"}
    )
    assert [(d.line, d.pointer) for d in report.diagnostics] == [(2, "/prompt")]
    assert "32,767" in report.diagnostics[0].message


def test_count_lines_matches_a_line_by_line_count() -> None:
    """The one-translate count of lines and blank lines says what splitting says, whatever
    the mix of blank, whitespace-only, brace-less and indented lines."""
    import random

    rng = random.Random(5)
    shapes = [b'{"a": 1}', b"", b"  ", b"\t\r", b'  {"b": 2}', b"[1, {}]", b"not json", b"{", b"}{"]
    for _ in range(2000):
        lines = [rng.choice(shapes) for _ in range(rng.randint(1, 12))]
        chunk = b"\n".join(lines) + b"\n"
        blank = sum(1 for line in lines if not line.strip())
        assert count_lines(chunk) == (len(lines), blank), chunk
