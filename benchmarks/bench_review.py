"""How fast `ftprep review` shows its first screen on a large file, in a real terminal.

    python benchmarks/bench_review.py            # 100,000 chat records, every one with a finding
    python benchmarks/bench_review.py -n 20000

Starts `ftprep review` in a detached tmux session (a real terminal, 120x40) and polls the
screen with `tmux capture-pane`, reporting:

- first screen: the summary with its progress bar is on screen (the lint runs in a worker);
- ready: the lint is done and the rule table is filled;
- scrolling: the time for 200 `pagedown` presses in the 100,000-finding list (every answer
  ends with a space: WS002) to be drawn; the list is virtual, so this does not grow with the
  number of findings.

Needs tmux (Debian: `apt-get install tmux`).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import orjson  # noqa: E402
from datagen import chat_record  # noqa: E402

FTPREP = str(Path(sys.executable).with_name("ftprep"))
SESSION = "ftprep-bench-review"


def capture() -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", SESSION], capture_output=True, text=True
    ).stdout


def wait_for(predicate, timeout: float = 300.0) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if predicate(capture()):
            return time.perf_counter()
        time.sleep(0.02)
    raise SystemExit(f"timed out; the screen shows:\n{capture()}")


def write_data(path: Path, n: int) -> Path:
    """Synthetic chat records whose last answer always ends with a space (one WS002 each)."""
    import random

    rng = random.Random(0)
    with open(path, "wb") as fh:
        for i in range(n):
            record = chat_record(rng, i)
            last = record["messages"][-1]
            last["content"] = last["content"].rstrip() + " "
            fh.write(orjson.dumps(record) + b"\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="chat records (100,000)")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("this benchmark drives a real terminal and needs tmux")
    with tempfile.TemporaryDirectory() as tmp:
        data = write_data(Path(tmp) / "big.jsonl", args.n)
        size_mb = data.stat().st_size / 1e6
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
        start = time.perf_counter()
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                SESSION,
                "-x",
                "120",
                "-y",
                "40",
                f"cd {tmp} && {FTPREP} review big.jsonl; sleep 600",
            ],
            check=True,
        )
        try:
            first = wait_for(lambda screen: "ftprep review" in screen and "big.jsonl" in screen)
            ready = wait_for(lambda screen: "Saves to" in screen)  # shown once the lint is done
            screen = capture()
            time.sleep(0.5)  # let the table take the focus before typing
            # WS002, the 100,000-finding rule, is the only row; open it.
            subprocess.run(["tmux", "send-keys", "-t", SESSION, "Enter"], check=True)
            wait_for(lambda s: "findings ·" in s, timeout=30)
            scroll_start = time.perf_counter()
            subprocess.run(["tmux", "send-keys", "-t", SESSION, *["PageDown"] * 200], check=True)
            before = capture()
            wait_for(lambda s: s != before)
            # settle: the screen stops changing once the last page is drawn
            last, stable_since = capture(), time.perf_counter()
            while time.perf_counter() - stable_since < 0.5:
                now = capture()
                if now != last:
                    last, stable_since = now, time.perf_counter()
                time.sleep(0.02)
            scrolled = stable_since - scroll_start
        finally:
            subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    print(f"records              {args.n:,} chat records ({size_mb:.0f} MB)")
    print(f"first screen         {first - start:6.2f} s  (summary + progress bar, lint running)")
    print(f"ready                {ready - start:6.2f} s  (lint done, rule table filled)")
    print(f"200 x PageDown       {scrolled:6.2f} s  (until the screen stopped changing)")
    print("\n" + "\n".join(screen.splitlines()[:16]))


if __name__ == "__main__":
    main()
