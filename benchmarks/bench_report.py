"""Benchmark: `ftprep report` (the HTML report) against `ftprep lint` on the same data.

    python benchmarks/bench_report.py                  # 100k chat records of real text
    python benchmarks/bench_report.py --million        # also 1M records
    python benchmarks/bench_report.py --text synthetic

Targets (issue 17): the report of a million records is under 5 MB and takes under 1.5x
the lint's time. Both runs lint the same training file with a validation file of a tenth
of its size (so the leak check and the two-split plots run); the report also reads the
texts of the capped duplicate and leak examples again and draws the plots.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from datagen import write  # noqa: E402
from measure import compile_bytecode, measure  # noqa: E402


def ftprep() -> str:
    return shutil.which("ftprep") or str(Path(sys.executable).parent / "ftprep")


def best(cmd: list[str], repeat: int) -> tuple[float, float]:
    runs = [measure(cmd) for _ in range(repeat)]
    failed = [r for r in runs if r.returncode not in (0, 1)]
    if failed:
        raise SystemExit(f"{' '.join(cmd)} exited {failed[0].returncode}")
    return min(r.seconds for r in runs), max(r.peak_mb for r in runs)


def bench(n: int, text: str, repeat: int, scratch: Path) -> dict:
    train, valid = scratch / f"chat_{n}.jsonl", scratch / f"chat_{n}_valid.jsonl"
    write(train, n, "chat", seed=0, text=text)
    write(valid, n // 10, "chat", seed=1, text=text)
    out = scratch / f"report_{n}.html"
    common = [str(train), "--valid", str(valid), "--no-progress"]
    lint_s, lint_mb = best([ftprep(), "lint", *common, "--output-format", "json"], repeat)
    report_s, report_mb = best([ftprep(), "report", *common, "-o", str(out)], repeat)
    return {
        "records": n,
        "valid_records": n // 10,
        "text": text,
        "input_mb": round(train.stat().st_size / 1e6, 1),
        "lint_s": round(lint_s, 2),
        "lint_peak_mb": round(lint_mb),
        "report_s": round(report_s, 2),
        "report_peak_mb": round(report_mb),
        "report_over_lint": round(report_s / lint_s, 2),
        "report_kb": round(out.stat().st_size / 1000),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", choices=("real", "synthetic"), default="real")
    parser.add_argument("--million", action="store_true", help="also 1M records")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--output", default=str(HERE / "data" / "bench_report.json"))
    args = parser.parse_args()
    compile_bytecode()
    sizes = [100_000] + ([1_000_000] if args.million else [])
    results = []
    with tempfile.TemporaryDirectory(prefix="ftprep-bench-report-") as tmp:
        for n in sizes:
            row = bench(n, args.text, args.repeat if n < 1_000_000 else 1, Path(tmp))
            results.append(row)
            print(json.dumps(row), flush=True)
            print(
                f"{n:,} records: report {row['report_s']:.2f} s vs lint {row['lint_s']:.2f} s "
                f"({row['report_over_lint']:.2f}x), report {row['report_kb']:,} kB",
                flush=True,
            )
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
