"""Pipeline scale: ftprep against the floor of exact chat linting, and flat memory at 1M.

    python benchmarks/bench_pipeline.py                   # 100,000 chat records (~96 MB)
    python benchmarks/bench_pipeline.py --large 1000000   # also 1M records (~1 GB): lint and convert

The floor is the least work any exact chat linter must do: parse every line and count the
tokens of every message's content (orjson + tiktoken o200k_base, one process). Each run is a
separate process, timed with its peak memory (PSS of the process tree, so forked workers
count), and the default `ftprep lint` is reported as a multiple of the floor.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import orjson  # noqa: E402
from datagen import sentence  # noqa: E402
from measure import compile_bytecode, measure  # noqa: E402

FTPREP = str(Path(sys.executable).with_name("ftprep"))
FLOOR = """
import sys, orjson
from ftprep.core.tokens import get_encoding
enc = get_encoding("o200k_base")
tokens = 0
with open(sys.argv[1], "rb") as fh:
    for line in fh:
        for message in orjson.loads(line)["messages"]:
            content = message.get("content")
            if isinstance(content, str):
                tokens += len(enc.encode_ordinary(content))
print(tokens)
"""


def chat(rng: random.Random) -> dict:
    """About 960 bytes: a system prompt, one or two user/assistant exchanges."""
    messages = [{"role": "system", "content": "You are a helpful support assistant."}]
    for _ in range(rng.choice((1, 1, 2))):
        messages.append(
            {
                "role": "user",
                "content": " ".join(
                    sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(2, 4))
                ),
            }
        )
        messages.append(
            {
                "role": "assistant",
                "content": " ".join(
                    sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(2, 5))
                ),
            }
        )
    return {"messages": messages}


def write_chat(path: Path, n: int) -> Path:
    rng = random.Random(0)
    with open(path, "wb", buffering=1 << 20) as fh:
        for _ in range(n):
            fh.write(orjson.dumps(chat(rng)) + b"\n")
    return path


def write_csv(path: Path, n: int) -> Path:
    import csv

    rng = random.Random(1)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["question", "answer"])
        for _ in range(n):
            record = chat(rng)["messages"]
            out.writerow([record[1]["content"], record[2]["content"]])
    return path


def run(label: str, cmd: list[str]) -> float:
    m = measure(cmd)
    print(f"{label:<46} {m.seconds:7.2f} s  {m.peak_mb:6.0f} MB  exit {m.returncode}", flush=True)
    return m.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=0, help="also lint and convert this many")
    args = parser.parse_args()
    compile_bytecode()
    with tempfile.TemporaryDirectory() as tmp:
        data = write_chat(Path(tmp) / "chat.jsonl", args.records)
        print(f"{args.records:,} chat records, {data.stat().st_size / 1e6:.0f} MB")
        floor = run(
            "floor: parse + count tokens (1 process)", [sys.executable, "-c", FLOOR, str(data)]
        )
        lint = run(
            "ftprep lint (default rules, both cores)",
            [FTPREP, "lint", str(data), "--output-format", "json", "--isolated"],
        )
        one = run(
            "ftprep lint --workers 1",
            [FTPREP, "lint", str(data), "--output-format", "json", "--isolated", "--workers", "1"],
        )
        print(f"ratio to the floor: {lint / floor:.2f}x (one core: {one / floor:.2f}x)")
        if args.large:
            big = write_chat(Path(tmp) / "big.jsonl", args.large)
            print(f"\n{args.large:,} chat records, {big.stat().st_size / 1e6:.0f} MB")
            big_lint = run(
                "ftprep lint", [FTPREP, "lint", str(big), "--output-format", "json", "--isolated"]
            )
            print(
                f"time per record vs {args.records:,}: {big_lint / args.large * args.records / lint:.2f}x"
            )
            big.unlink()
            table = write_csv(Path(tmp) / "big.csv", args.large)
            print(f"{args.large:,} CSV rows, {table.stat().st_size / 1e6:.0f} MB")
            run(
                "ftprep convert CSV -> chat JSONL",
                [
                    FTPREP,
                    "convert",
                    str(table),
                    "--to",
                    "chat",
                    "--map",
                    "user=question",
                    "--map",
                    "assistant=answer",
                    "-o",
                    str(Path(tmp) / "out.jsonl"),
                ],
            )


if __name__ == "__main__":
    main()
