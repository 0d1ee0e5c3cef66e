"""Nothing lost, ever, and every error a clear one.

A generated battery of bad inputs runs through `lint`, `lint --fix -o`, `lint --fix
--in-place`, `convert` and `split`. Every run must end with a documented exit code, never an
internal error or a traceback, name the file when it fails, and account for every record:
what was read is what was written plus what was rejected, counted in the files on disk.
Then the faults: colliding paths, signals during an in-place fix, locks, symbolic links,
full disks and the rest of issue 20's list.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import run_cli

GOOD = [
    {"prompt": f"What is {a} plus {b}?\n\n###\n\n", "completion": f" {a + b} END"}
    for a, b in zip(range(3, 15), range(20, 32), strict=True)
]


def jsonl(rows: list[object]) -> bytes:
    return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)


def good_lines(n: int = 12) -> list[bytes]:
    return [json.dumps(r).encode() for r in GOOD[:n]]


@dataclass(frozen=True)
class BadInput:
    """A file and what it holds: ``records`` slots to account for (read = written + rejected),
    or None when the whole file is refused with an error that must name it."""

    name: str
    filename: str
    make: Callable[[], bytes]
    records: int | None
    refused_with: str = ""  # a word of the error when the file is refused

    @property
    def is_jsonl(self) -> bool:
        return self.filename.endswith(".jsonl")


def _lines(*lines: bytes, end: bytes = b"\n") -> bytes:
    return end.join(lines) + end


def _xlsx(rows: dict[str, object]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for cell, value in rows.items():
        sheet[cell] = value
    import io

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _billion_laughs() -> bytes:
    """A workbook whose sheet XML declares nested entities (a billion laughs)."""
    import io

    good = _xlsx({"A1": "prompt", "B1": "completion", "A2": "q", "B2": "a"})
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
            for i in range(1, 10)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, laughs if item.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


BATTERY = [
    BadInput("clean", "clean.jsonl", lambda: jsonl(GOOD), 12),
    BadInput(
        "truncated line",
        "truncated.jsonl",
        lambda: _lines(*good_lines(6), b'{"prompt": "cut off', *good_lines(6)),
        13,
    ),
    BadInput(
        "not objects",
        "scalars.jsonl",
        lambda: _lines(*good_lines(4), b"[1, 2]", b"42", b'"text"', b"null", *good_lines(4)),
        12,
    ),
    BadInput(
        "bad utf-8 byte",
        "badbyte.jsonl",
        lambda: _lines(*good_lines(5), b'{"prompt": "caf\xe9?", "completion": " yes"}'),
        6,
    ),
    BadInput("CR line ends", "cr.jsonl", lambda: _lines(*good_lines(), end=b"\r"), 12),
    BadInput(
        "BOM and CRLF",
        "bom.jsonl",
        lambda: b"\xef\xbb\xbf" + _lines(*good_lines(), end=b"\r\n"),
        12,
    ),
    BadInput(
        "blank lines",
        "blanks.jsonl",
        lambda: _lines(b"", *good_lines(3), b"   ", b"\t", *good_lines(3), b""),
        6,
    ),
    BadInput(
        "big integers",
        "bigint.jsonl",
        lambda: _lines(
            *good_lines(3),
            b'{"prompt": "id?\\n\\n###\\n\\n", "completion": " x END", "id": 18446744073709551616}',
        ),
        4,
    ),
    BadInput(
        "NUL byte",
        "nul.jsonl",
        lambda: _lines(*good_lines(3), b'{"prompt": "a\x00b", "completion": " c"}'),
        4,
    ),
    BadInput(
        "duplicate keys",
        "dupkeys.jsonl",
        lambda: _lines(*good_lines(3), b'{"prompt": "a", "prompt": "b", "completion": " c"}'),
        4,
    ),
    BadInput(
        "deep nesting",
        "deep.jsonl",
        lambda: _lines(*good_lines(3), b'{"prompt": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        4,
    ),
    BadInput(
        "ESC in a key",
        "esc.jsonl",
        lambda: _lines(*good_lines(3), b'{"prompt": "a", "completion": " b", "\\u001b[31mred": 1}'),
        4,
    ),
    BadInput("empty file", "empty.jsonl", lambda: b"", 0),
    BadInput(
        "UTF-16", "utf16.jsonl", lambda: jsonl(GOOD[:3]).decode().encode("utf-16"), None, "UTF-16"
    ),
    BadInput(
        "ragged CSV row",
        "ragged.csv",
        lambda: b"prompt,completion\nq1,a1\nq2,a2,extra,more\nq3,a3\n",
        3,
    ),
    BadInput("CR-only CSV", "cr.csv", lambda: b"prompt,completion\rq1,a1\rq2,a2\rq3,a3\r", 3),
    BadInput("header-only CSV", "header.csv", lambda: b"prompt,completion\n", 0),
    BadInput(
        "CSV with a Latin-1 byte",
        "latin.csv",
        lambda: b"prompt,completion\ncaf\xe9,yes\nq2,a2\n",
        None,
        "encoding",
    ),
    BadInput(
        "100,000 columns",
        "wide.csv",
        lambda: (",".join(f"c{i}" for i in range(100_000)) + "\n" + "x," * 99_999 + "x\n").encode(),
        None,
        "column",
    ),
    BadInput(
        "XLSX row after 1,000 empty rows",
        "gap.xlsx",
        lambda: _xlsx(
            {
                "A1": "prompt",
                "B1": "completion",
                "A2": "q",
                "B2": "a",
                "A1003": "late",
                "B1003": "b",
            }
        ),
        2,
    ),
    BadInput(
        "XLSX stray cell at XFD1",
        "stray.xlsx",
        lambda: _xlsx({"A1": "prompt", "B1": "completion", "XFD1": "x", "A2": "q", "B2": "a"}),
        1,
    ),
    BadInput("billion laughs XLSX", "laughs.xlsx", _billion_laughs, None, "laughs.xlsx"),
    BadInput("CSV named .xlsx", "csv.xlsx", lambda: b"prompt,completion\nq,a\n", None, "CSV"),
    BadInput("JSON document of a number", "number.json", lambda: b"42", None, "number"),
    BadInput(
        "truncated JSON document", "cut.json", lambda: b'[{"prompt": "a", "comp', None, "cut.json"
    ),
]

COMMANDS = ["lint", "fix -o", "fix --in-place", "convert", "split"]


def _count(path: Path) -> int:
    return len(path.read_bytes().splitlines()) if path.exists() else 0


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("bad", BATTERY, ids=[b.name for b in BATTERY])
def test_every_bad_input_ends_clearly_and_loses_nothing(
    tmp_path: Path, bad: BadInput, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FTPREP_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    data = tmp_path / bad.filename
    original = bad.make()
    data.write_bytes(original)
    out, rejected = tmp_path / "out.jsonl", tmp_path / "out.rejected.jsonl"
    args = {
        "lint": ["lint", str(data)],
        "fix -o": ["lint", str(data), "--fix", "--unsafe-fixes", "-o", str(out)],
        "fix --in-place": ["lint", str(data), "--fix", "--unsafe-fixes", "--in-place"],
        "convert": ["convert", str(data), "-o", str(out)],
        "split": ["split", str(data), "-o", str(out), "-O", str(tmp_path / "valid.jsonl")],
    }[command]
    r = run_cli(*args)
    said = r.out + r.err
    assert "internal error" not in said and "Traceback" not in said, said
    assert r.code in (0, 1, 2), said
    if bad.records is None:  # refused as a whole: named, with what is wrong
        assert r.code in (1, 2), said
        assert bad.filename in said, said
        assert bad.refused_with.lower() in said.lower(), said
        if command != "fix --in-place":
            assert data.read_bytes() == original
        return
    if command == "lint":
        assert data.read_bytes() == original
        return
    if command == "fix --in-place":
        if not bad.is_jsonl:  # a table is linted, never rewritten in place
            assert data.read_bytes() == original
            assert r.code in (0, 1, 2)
            return
        rejected = tmp_path / (data.stem + ".rejected.jsonl")
        written = _count(data)
    elif command == "split":
        if r.code == 2:  # too few records to split: said, and nothing written
            assert bad.filename in said and not out.exists(), said
            return
        written = _count(out) + _count(tmp_path / "valid.jsonl")
    else:
        written = _count(out)
    assert written + _count(rejected) == bad.records, (said, written, _count(rejected))
    for line in rejected.read_bytes().splitlines() if rejected.exists() else []:
        entry = json.loads(line)
        assert entry["reasons"], entry  # every rejected record says why


# -- the battery's own claims -----------------------------------------------------------
def test_a_stray_far_right_cell_adds_no_columns(tmp_path: Path) -> None:
    book = tmp_path / "stray.xlsx"
    book.write_bytes(
        _xlsx({"A1": "prompt", "B1": "completion", "XFD1": "x", "A2": "q?", "B2": " a"})
    )
    out = tmp_path / "out.jsonl"
    r = run_cli("convert", str(book), "-o", str(out))
    assert r.code == 0, r.err
    assert [sorted(json.loads(line)) for line in out.read_text().splitlines()] == [
        ["completion", "prompt"]
    ]


def test_rows_after_many_empty_rows_are_read_and_the_gap_is_said(tmp_path: Path) -> None:
    book = tmp_path / "gap.xlsx"
    book.write_bytes(
        _xlsx({"A1": "prompt", "B1": "completion", "A2": "q", "B2": "a", "A1003": "late"})
    )
    out = tmp_path / "out.jsonl"
    r = run_cli("convert", str(book), "-o", str(out))
    assert '"late"' in out.read_text()
    assert "Skipped 1,000 empty rows" in r.out


def test_an_error_about_many_columns_stays_short(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(100_000)) + "\n" + "x," * 99_999 + "x\n")
    r = run_cli("convert", str(wide), "-o", str(tmp_path / "o.jsonl"))
    assert r.code == 2 and "99,988 more" in r.err
    assert len(r.err) < 1000


# -- paths that collide ------------------------------------------------------------------
CHAT = [
    {
        "messages": [
            {"role": "user", "content": f"What is {a} plus {b}?"},
            {"role": "assistant", "content": f"It is {a + b}. "},  # WS002: a safe fix
        ]
    }
    for a, b in zip(range(3, 15), range(20, 32), strict=True)
]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    data = tmp_path / "t.jsonl"
    data.write_bytes(jsonl(CHAT))
    return data


def _refused(r: object, original: bytes, data: Path, *words: str) -> None:
    said = r.out + r.err  # type: ignore[attr-defined]
    assert r.code == 2, said  # type: ignore[attr-defined]
    assert data.read_bytes() == original
    for word in words:
        assert word in said, said


@pytest.mark.parametrize(
    "extra",
    [
        ["-o", "{data}"],
        ["-o", "{link}"],
        ["-o", "./{name}"],
        ["-o", "out.jsonl", "--rejected", "{data}"],
        ["-o", "out.jsonl", "--rejected", "out.jsonl"],
        ["-o", "out.jsonl", "--fix-log", "{data}"],
        ["-o", "out.jsonl", "--fix-log", "out.jsonl"],
        ["--in-place", "--rejected", "{data}"],
    ],
    ids=lambda extra: " ".join(extra),
)
def test_lint_fix_refuses_paths_that_name_one_file(
    small: Path, extra: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small.parent)
    (small.parent / "link.jsonl").symlink_to(small)
    original = small.read_bytes()
    args = [a.format(data=small, link="link.jsonl", name=small.name) for a in extra]
    r = run_cli("lint", str(small), "--fix", *args)
    _refused(r, original, small, "same file")
    assert not (small.parent / "out.jsonl").exists()


def test_a_table_cannot_be_its_own_output(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("prompt,completion\nq,a\n")
    r = run_cli("lint", str(table), "--fix", "-o", str(table))
    _refused(r, b"prompt,completion\nq,a\n", table, "same file")


@pytest.mark.parametrize(
    ("outputs", "words"),
    [
        (["-o", "x.jsonl", "-O", "x.jsonl"], ["same file"]),
        (["-o", "x.jsonl", "-O", "{data}"], ["same file"]),
        (["-o", "x.jsonl", "-O", "v.jsonl", "--rejected", "x.jsonl"], ["same file"]),
        (["-o", "x.csv", "-O", "v.jsonl"], ["x.jsonl"]),
        (["-o", "missing/x.jsonl", "-O", "v.jsonl"], ["does not exist", "create it"]),
        (["-o", ".", "-O", "v.jsonl"], ["is a directory"]),
    ],
)
def test_split_and_convert_refuse_outputs_that_cannot_be_written_as_asked(
    small: Path, outputs: list[str], words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small.parent)
    original = small.read_bytes()
    args = [a.format(data=small) for a in outputs]
    _refused(run_cli("split", str(small), *args), original, small, *words)
    convert_args = args[:2] + (["--rejected", args[-1]] if "--rejected" in args else [])
    if "-O" not in convert_args[:1]:
        r = run_cli("convert", str(small), *convert_args)
        if words != ["same file"] or "--rejected" in convert_args:
            _refused(r, original, small, *words)
    assert not (small.parent / "missing").exists()


# -- numbers, symbolic links, owners, locks ----------------------------------------------
BIG = (
    b'{"messages": [{"role": "user", "content": "Which id?"}, {"role": "assistant", '
    b'"content": "That one."}], "id": 18446744073709551616, "weight": 1.10}'
)
EDITED = (
    b'{"messages": [{"role": "user", "content": "And this?"}, {"role": "assistant", '
    b'"content": "This one. "}], "id": 340282366920938463463374607431768211456}'
)


def test_big_integers_and_unedited_lines_round_trip_exactly(tmp_path: Path) -> None:
    data = tmp_path / "big.jsonl"
    data.write_bytes(BIG + b"\n" + EDITED + b"\n")
    out = tmp_path / "out.jsonl"
    r = run_cli("lint", str(data), "--fix", "-o", str(out))
    assert "Applied 1 edit (WS002" in r.out, r.out
    first, second = out.read_bytes().splitlines()
    assert first == BIG  # byte for byte, 1.10 and all
    assert b"340282366920938463463374607431768211456}" in second and b"one. " not in second
    run_cli("convert", str(data), "-o", str(tmp_path / "c.jsonl"))
    converted = (tmp_path / "c.jsonl").read_bytes()
    assert b"18446744073709551616" in converted and b"e+" not in converted
    run_cli("lint", str(data), "--fix", "--in-place")
    assert data.read_bytes().splitlines() == [first, second]


def test_in_place_through_a_symlink_fixes_the_target_and_keeps_its_mode(small: Path) -> None:
    link = small.parent / "link.jsonl"
    link.symlink_to(small.name)
    small.chmod(0o640)
    owner = (65534, 65534) if os.getuid() == 0 else (os.getuid(), os.getgid())
    os.chown(small, *owner)  # as root: someone else's file, which must stay theirs
    r = run_cli("lint", str(link), "--fix", "--in-place")
    assert r.code in (0, 1), r.err
    assert link.is_symlink() and os.readlink(link) == small.name
    assert b". " not in small.read_bytes()
    assert small.stat().st_mode & 0o777 == 0o640
    assert (small.stat().st_uid, small.stat().st_gid) == owner


def test_an_in_place_fix_waits_for_no_one_and_overwrites_no_ones_work(small: Path) -> None:
    import fcntl

    original = small.read_bytes()
    with small.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        r = run_cli("lint", str(small), "--fix", "--in-place")
    _refused(r, original, small, "another ftprep run", str(small))


def test_a_file_changed_during_the_fix_is_not_replaced(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ftprep.writers import jsonl as writers

    real_check = writers.InPlaceGuard.check_unchanged

    def someone_edits(self: writers.InPlaceGuard) -> None:
        with open(self.path, "ab") as f:
            f.write(b'{"prompt": "new?", "completion": " added meanwhile"}\n')
        real_check(self)

    monkeypatch.setattr(writers.InPlaceGuard, "check_unchanged", someone_edits)
    r = run_cli("lint", str(small), "--fix", "--in-place")
    assert r.code == 2 and "changed while it was being fixed" in r.err, r.err
    assert small.read_bytes().endswith(b'" added meanwhile"}\n')


# -- faults mid-run ----------------------------------------------------------------------
def _descendants(pid: int) -> set[int]:
    found, stack = set(), [pid]
    while stack:
        for task in Path(f"/proc/{stack.pop()}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found.update(children)
            stack.extend(children)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie holds no memory and waits only to be reaped


def _leftovers(*directories: Path) -> list[str]:
    return sorted(
        name
        for d in directories
        for name in os.listdir(d)
        if name.startswith(".ftprep-") or name.startswith("ftprep-")
    )


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """200,000 records with a trailing space to fix in each."""
    row = b'{"messages": [{"role": "user", "content": "What is %d plus %d?"}, {"role": "assistant", "content": "It is %d. "}]}\n'
    return b"".join(row % (i, i + 1, 2 * i + 1) for i in range(200_000))


@pytest.mark.parametrize(
    "sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=["SIGTERM", "SIGHUP", "SIGKILL"]
)
def test_killing_an_in_place_fix_loses_nothing_and_leaves_nothing(
    tmp_path: Path, big_file: bytes, sig: signal.Signals
) -> None:
    data_dir, scratch = tmp_path / "data", tmp_path / "tmp"
    data_dir.mkdir()
    scratch.mkdir()
    data = data_dir / "big.jsonl"
    data.write_bytes(big_file)
    env = {**os.environ, "TMPDIR": str(scratch), "FTPREP_WORKERS": "2"}
    env.pop("FTPREP_DEBUG", None)
    cmd = [sys.executable, "-m", "ftprep", "lint", str(data), "--fix", "--in-place"]
    run = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        workers |= _descendants(run.pid)
        if workers and _leftovers(scratch, data_dir):
            break  # mid-run: workers up and intermediate files on disk
        time.sleep(0.05)
    assert run.poll() is None and workers, "the fix ended before it could be stopped"
    run.send_signal(sig)
    _, err = run.communicate(timeout=60)
    gone = time.monotonic() + 10
    while any(_running(w) for w in workers) and time.monotonic() < gone:
        time.sleep(0.1)
    assert not any(_running(w) for w in workers), "a worker outlived its parent"
    assert data.read_bytes() == big_file
    if sig != signal.SIGKILL:  # a signal it can handle: it cleans up and says so
        assert run.returncode == 128 + sig
        assert f"stopped by {sig.name}; nothing was replaced".encode() in err, err
        assert _leftovers(scratch, data_dir) == []
    # The next run cleans what a killed run could not, and does the job.
    small = data_dir / "next.jsonl"
    small.write_bytes(big_file[:2000].rsplit(b"\n", 1)[0] + b"\n")
    nxt = subprocess.run(
        [sys.executable, "-m", "ftprep", "lint", str(small), "--fix", "--in-place"],
        env=env,
        capture_output=True,
    )
    assert nxt.returncode in (0, 1), nxt.stderr
    assert _leftovers(scratch, data_dir) == []
    assert data.read_bytes() == big_file


def test_interrupting_exits_130_and_a_cleanup_never_masks_the_cause(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ftprep.writers import jsonl as writers

    original = small.read_bytes()

    def interrupted(self: object, record: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writers.AtomicWriter, "write_record", interrupted)
    r = run_cli("lint", str(small), "--fix", "--in-place")
    assert r.code == 130 and "interrupted; nothing was replaced" in r.err, r.err
    assert small.read_bytes() == original
    assert _leftovers(small.parent) == []


def test_a_full_disk_names_the_path_and_leaves_no_partial_file(
    small: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import io

    from ftprep.writers import jsonl as writers

    class Full(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: object) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    real_init = writers.AtomicWriter.__init__

    def on_a_full_disk(self: writers.AtomicWriter, path: str) -> None:
        real_init(self, path)
        if path != "-":
            self._fh.close()
            self._fh = Full()  # type: ignore[assignment]

    monkeypatch.setattr(writers.AtomicWriter, "__init__", on_a_full_disk)
    original = small.read_bytes()
    out = small.parent / "out.jsonl"
    r = run_cli("lint", str(small), "--fix", "-o", str(out))
    assert r.code == 2, r.err
    assert "no space left" in r.err and str(small.parent) in r.err, r.err  # the file hit
    assert "internal error" not in r.err
    assert not out.exists() and _leftovers(small.parent) == []
    r = run_cli("lint", str(small), "--fix", "--in-place")
    assert r.code == 2 and str(small.parent) in r.err, r.err
    assert small.read_bytes() == original and _leftovers(small.parent) == []


# -- errors a user can cause -------------------------------------------------------------
def test_split_names_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    r = run_cli(
        "split",
        str(tmp_path / "nope.jsonl"),
        "-o",
        str(tmp_path / "a.jsonl"),
        "-O",
        str(tmp_path / "b.jsonl"),
    )
    assert r.code == 2 and "nope.jsonl" in r.err and "internal error" not in r.err, r.err
    broken = tmp_path / "broken.json"
    broken.write_text('[{"prompt": ')
    r = run_cli(
        "split", str(broken), "-o", str(tmp_path / "a.jsonl"), "-O", str(tmp_path / "b.jsonl")
    )
    assert r.code == 2 and "broken.json" in r.err and "internal error" not in r.err, r.err


def test_permission_denied_reading_and_writing_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "secret.jsonl"
    secret.write_bytes(jsonl(GOOD))
    readonly = tmp_path / "ro"
    readonly.mkdir()
    public = tmp_path / "public.jsonl"
    public.write_bytes(jsonl(GOOD))
    secret.chmod(0o000)
    readonly.chmod(0o555)
    if os.getuid() == 0:  # root reads and writes anything: deny as the kernel would
        real_access = os.access
        denied = {(str(secret), os.R_OK), (str(readonly), os.W_OK)}

        def access(path: object, mode: int, **kw: object) -> bool:
            if (os.fspath(path), mode) in denied:  # type: ignore[call-overload]
                return False
            return real_access(path, mode, **kw)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "access", access)
    try:
        r = run_cli("lint", str(secret))
        said = r.out + r.err
        assert r.code in (1, 2) and "internal error" not in said, said
        assert "secret.jsonl" in said and "permission denied" in said, said
        r = run_cli("convert", str(public), "-o", str(readonly / "o.jsonl"))
        assert r.code == 2, r.err
        assert str(readonly) in r.err and "not writable" in r.err, r.err
        assert ".tmp" not in r.err  # the output is named, not a temporary file
        assert os.listdir(readonly) == []
    finally:
        secret.chmod(0o600)
        readonly.chmod(0o755)


def run_args(*args: str) -> tuple[int, str]:
    """Run the CLI in-process where argparse itself may refuse a value (SystemExit)."""
    import contextlib
    import io

    from ftprep.cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, err.getvalue()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--delimiter", ";;"], ["--delimiter", "one character"]),
        (["--similarity", "2"], ["--similarity", "at most 1"]),
        (["--valid-fraction", "1.5"], ["--valid-fraction", "below 1"]),
        (["--workers", "0"], ["--workers", "at least 1"]),
    ],
)
def test_values_out_of_range_are_refused_with_their_range(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    table = tmp_path / "t.csv"
    table.write_text("prompt,completion\n" + "".join(f"q{i},a{i}\n" for i in range(20)))
    out = tmp_path
    code, err = run_args(
        "split", str(table), "-o", str(out / "a.jsonl"), "-O", str(out / "b.jsonl"), *args
    )
    assert code == 2, err
    for word in words:
        assert word in err, err
    assert not (out / "a.jsonl").exists()


@pytest.mark.parametrize(
    "args", [["--epochs", "-3"], ["--epochs", "0"], ["--learning-rate-multiplier", "0"]]
)
def test_training_values_out_of_range_are_refused(small: Path, args: list[str]) -> None:
    code, err = run_args("train", str(small), "--dry-run", *args)
    assert code == 2 and args[0] in err and "$" not in err, err


@pytest.mark.parametrize(
    ("config", "words"),
    [
        (
            b"[rules.DP003]\nthreshold = 7.5\n",
            ["DP003", "threshold = 7.5", "less than or equal to 1"],
        ),
        (b"\x00\x01\x02 binary \xff\xfe", ["ftprep.toml"]),
        (b"[splits]\ntrain = 't.jsonl'\nvalid = 'gone.jsonl'\n", ["gone.jsonl"]),
    ],
    ids=["threshold", "binary", "missing splits file"],
)
def test_config_mistakes_name_the_file_and_the_value(
    small: Path, config: bytes, words: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(small.parent)
    (small.parent / "ftprep.toml").write_bytes(config)
    r = run_cli("lint", small.name)
    assert r.code == 2 or (r.code == 1 and "IO001" in r.out), (r.code, r.out, r.err)
    for word in words:
        assert word in r.out + r.err, r.out + r.err


def test_an_explicit_missing_baseline_is_an_error(small: Path) -> None:
    r = run_cli("lint", str(small), "--baseline", str(small.parent / "nope.json"))
    assert r.code == 2 and "nope.json" in r.err, r.err


@pytest.mark.parametrize("fmt", ["text", "concise", "github", "json"])
def test_control_characters_never_reach_the_terminal(tmp_path: Path, fmt: str) -> None:
    data = tmp_path / "esc.jsonl"
    data.write_bytes(
        b'{"prompt": "a", "completion": " b", "\\u001b[31mred\\u001b]0;title\\u0007": 1}\n'
        b'{"Prompt\\u001b[2J": "x", "completion": " y"}\n'
    )
    r = run_cli("lint", str(data), "--output-format", fmt, "--select", "ALL")
    assert "\x1b" not in r.out and "\x07" not in r.out
    if fmt == "json":
        json.loads(r.out)


def test_a_latin1_file_name_reports_as_valid_json(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.jsonl")
    (tmp_path / name).write_bytes(jsonl(GOOD[:2]))
    r = subprocess.run(
        [sys.executable, "-m", "ftprep", "lint", name, "--output-format", "json"],
        capture_output=True,
        cwd=tmp_path,
    )
    assert r.returncode in (0, 1), r.stderr
    report = json.loads(r.stdout)
    assert report["files"][0]["file"] == "caf\\xe9.jsonl"


def test_writing_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    data = tmp_path / "many.jsonl"
    data.write_bytes(jsonl(GOOD * 3000))
    r = subprocess.run(
        f"{sys.executable} -m ftprep convert {data} -o - | head -1",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert r.stdout.count("\n") == 1 and json.loads(r.stdout)
    assert "written" not in r.stderr and "Error" not in r.stderr, r.stderr


def test_messages_name_json_types_not_python_ones(tmp_path: Path) -> None:
    data = tmp_path / "types.jsonl"
    data.write_bytes(
        jsonl(
            [
                CHAT[0],
                {"messages": None},
                {"messages": {"role": "user"}},
                {
                    "messages": [
                        {"role": "user", "content": 1},
                        {"role": "assistant", "content": True},
                    ]
                },
                {
                    "messages": [
                        {"role": "user", "content": "Weather?"},
                        {
                            "role": "assistant",
                            "tool_calls": [
                                {
                                    "id": "c1",
                                    "type": "function",
                                    "function": {"name": "w", "arguments": 5},
                                }
                            ],
                        },
                    ]
                },
                {
                    "input": {"messages": [{"role": "user", "content": "Hi"}]},
                    "preferred_output": None,
                    "non_preferred_output": [],
                },
                [1, 2],
            ]
        )
    )
    r = run_cli("lint", str(data), "--select", "ALL", "--output-format", "concise")
    import re

    assert not re.search(r"NoneType|\ban? (int|float|dict|list|bool|str|tuple)\b", r.out), r.out
    assert "null" in r.out and "a JSON number" in r.out


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbf" + jsonl(CHAT[:1]).replace(b". ", b"."),
        jsonl(CHAT[:2]).replace(b". ", b".").replace(b"\n", b"\r\n"),
        jsonl(CHAT[:2]).replace(b". ", b".").replace(b"\n", b"\n\n"),
    ],
    ids=["BOM", "CRLF", "blank lines"],
)
def test_exit_non_zero_on_fix_counts_any_byte_the_fix_changed(
    tmp_path: Path, content: bytes
) -> None:
    data = tmp_path / "t.jsonl"
    data.write_bytes(content)
    fix = ["--fix", "--in-place", "--exit-non-zero-on-fix", "--ignore", "SC016"]
    first = run_cli("lint", str(data), *fix)
    assert data.read_bytes() != content
    assert first.code == 1, (first.out, first.err)
    assert "Applied 0 edits;" not in first.out or "bytes changed" in first.out, first.out
    fixed = data.read_bytes()
    again = run_cli("lint", str(data), *fix)
    assert again.code == 0 and data.read_bytes() == fixed, again.out
