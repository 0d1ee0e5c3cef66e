"""Benchmark: `ftprep lint` against OpenAI's removed `prepare_data` on legacy data.

    python benchmarks/bench_lint.py                 # 100k records of real text
    python benchmarks/bench_lint.py --text synthetic  # 100k records of a 70-word vocabulary
    python benchmarks/bench_lint.py --million       # also 1M records (~760 MB), for scaling
    python benchmarks/bench_lint.py --openai-venv benchmarks/.venv-openai

`prepare_data` needs its own environment (it was removed from the openai package in 2026):

    python -m venv benchmarks/.venv-openai
    benchmarks/.venv-openai/bin/pip install 'openai[datalib]==1.55.0' 'httpx<0.28'

Times are the best of --repeat runs, interleaved, because shared cloud machines are noisy;
peak memory is the highest PSS sum of the whole process tree (workers included), measured in
a separate run so that sampling /proc does not slow the timed runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from datagen import write  # noqa: E402
from measure import compile_bytecode, measure  # noqa: E402


def timed(cmd: list[str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def ftprep_cmd(path: Path) -> list[str]:
    exe = shutil.which("ftprep") or str(Path(sys.executable).parent / "ftprep")
    return [exe, "lint", str(path), "--output-format", "json", "--no-progress"]


def prepare_data_cmd(venv: Path, path: Path) -> list[str]:
    return [str(venv / "bin" / "openai"), "tools", "fine_tunes.prepare_data", "-f", str(path), "-q"]


def run(tools: dict[str, tuple[list[str], str]], repeat: int) -> dict[str, dict]:
    """Time each tool ``repeat`` times, taking turns, so a slow minute hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in tools}
    for _ in range(repeat):
        for name, (cmd, cwd) in tools.items():
            times[name].append(timed(cmd, cwd))
    results = {}
    for name, (cmd, cwd) in tools.items():
        results[name] = {
            "tool": name,
            "best_s": round(min(times[name]), 2),
            "median_s": round(statistics.median(times[name]), 2),
            "peak_mb": round(measure(cmd, cwd=cwd).peak_mb),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--text",
        choices=["real", "synthetic"],
        default="real",
        help="the corpus's texts recombined (default) or the old 70-word vocabulary",
    )
    parser.add_argument("--million", action="store_true", help="also lint 1,000,000 records")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--openai-venv", type=Path, default=HERE / ".venv-openai")
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    args = parser.parse_args()
    compile_bytecode()

    args.data_dir.mkdir(parents=True, exist_ok=True)
    sizes = [args.records] + ([1_000_000] if args.million else [])
    results = []
    for n in sizes:
        stem = f"completion_{n}" if args.text == "synthetic" else f"completion_real_{n}"
        path = args.data_dir / f"{stem}.jsonl"
        if not path.exists():
            write(path, n, "completion", text=args.text)
        mb = path.stat().st_size / 1e6
        row = {"records": n, "text": args.text, "megabytes": round(mb, 1)}
        with tempfile.TemporaryDirectory() as tmp:
            tools = {"ftprep": (ftprep_cmd(path), str(args.data_dir))}
            if n == args.records and (args.openai_venv / "bin" / "openai").exists():
                copy = Path(tmp) / path.name  # prepare_data writes *_prepared.jsonl beside it
                shutil.copy(path, copy)
                tools["prepare_data"] = (prepare_data_cmd(args.openai_venv, copy), tmp)
            row.update(run(tools, args.repeat))
        results.append(row)
        print(json.dumps(row))
    base = results[0]
    if "prepare_data" in base:
        speed = base["prepare_data"]["best_s"] / base["ftprep"]["best_s"]
        memory = base["prepare_data"]["peak_mb"] / base["ftprep"]["peak_mb"]
        print(
            f"ftprep is {speed:.1f}x faster than prepare_data and uses {memory:.1f}x less memory "
            f"on {base['records']:,} records ({base['megabytes']} MB)"
        )
    if len(results) > 1:
        scale = results[1]["ftprep"]["best_s"] / results[0]["ftprep"]["best_s"]
        print(
            f"{results[1]['records']:,} records took {scale:.1f}x the time of {results[0]['records']:,} "
            f"(linear would be {results[1]['records'] / results[0]['records']:.0f}x); peak "
            f"{results[1]['ftprep']['peak_mb']} MB"
        )
    (args.data_dir / "bench_lint.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
