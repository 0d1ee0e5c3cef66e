"""Run a command and report wall time and peak memory of its whole process tree.

Peak memory is the highest sum of PSS (proportional set size, from /proc/PID/smaps_rollup)
over the process and all its descendants, sampled every 20 ms. PSS splits pages shared
between forked workers fairly, so the sum is the memory the run really holds; RSS would
count shared pages once per worker.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


def compile_bytecode() -> None:
    """Compile ftprep's modules to bytecode before timing, as ``pip install`` does.

    An editable install compiles lazily and, under ``PYTHONDONTWRITEBYTECODE`` (set on some
    machines), recompiles every module on every run: ~0.1 s that no installed copy pays and
    that the other tool, installed from a wheel, never pays either.
    """
    import compileall

    import ftprep

    compileall.compile_dir(str(Path(ftprep.__file__).parent), quiet=1)


@dataclass
class Measurement:
    seconds: float
    peak_mb: float
    returncode: int


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _tree(pid: int) -> list[int]:
    pids, stack = [], [pid]
    while stack:
        p = stack.pop()
        pids.append(p)
        stack.extend(_children(p))
    return pids


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(
    cmd: list[str], cwd: str | None = None, env: dict[str, str] | None = None
) -> Measurement:
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peak = 0
    while proc.poll() is None:
        peak = max(peak, sum(_pss_kb(p) for p in _tree(proc.pid)))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    return Measurement(seconds, peak / 1024, proc.returncode)


if __name__ == "__main__":
    import sys

    m = measure(sys.argv[1:])
    print(
        f"{m.seconds:.2f} s, peak {m.peak_mb:.0f} MB (PSS of the process tree), exit {m.returncode}"
    )
