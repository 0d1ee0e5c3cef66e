"""Cold start: how long `ftprep lint` takes on a 10-record file (what pre-commit pays).

    python benchmarks/bench_startup.py            # 20 runs
    python benchmarks/bench_startup.py --runs 50

Reports the median and fastest wall time of the whole command, the same for a bare
`python -c pass` (the interpreter's own share), and the slowest imports by `-X importtime`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FTPREP = str(Path(sys.executable).with_name("ftprep"))
RECORD = (
    b'{"messages": [{"role": "system", "content": "You are terse."}, '
    b'{"role": "user", "content": "Capital of France?"}, '
    b'{"role": "assistant", "content": "Paris."}]}\n'
)


def timed(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append(time.perf_counter() - start)
    return out


def slowest_imports(cmd: list[str], n: int = 12) -> list[tuple[int, str]]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *cmd], capture_output=True, text=True
    )
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, _, rest = line.partition(":")
        _self_us, cumulative, name = (part.strip() for part in rest.split("|"))
        if not name.startswith(" "):  # top-level imports only
            rows.append((int(cumulative), name.strip()))
    return sorted(rows, reverse=True)[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "ten.jsonl"
        data.write_bytes(RECORD * 10)
        cmd = [FTPREP, "lint", str(data), "--output-format", "concise", "--isolated"]
        timed(cmd, 2)  # warm the file cache
        lint = timed(cmd, args.runs)
        bare = timed([sys.executable, "-c", "pass"], args.runs)
        print(
            f"ftprep lint, 10 records   median {statistics.median(lint):.3f} s   fastest {min(lint):.3f} s"
        )
        print(
            f"python -c pass            median {statistics.median(bare):.3f} s   fastest {min(bare):.3f} s"
        )
        print("\nslowest top-level imports (cumulative):")
        script = ["-c", f"from ftprep.cli import main; main({cmd[1:]!r})"]
        for micros, name in slowest_imports(script):
            print(f"  {micros / 1000:7.1f} ms  {name}")


if __name__ == "__main__":
    main()
