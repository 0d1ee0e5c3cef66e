"""Deterministic datasets for the benchmarks (no network).

Prompt/completion records look like a prepared legacy dataset: a prompt of a few sentences
ending with the separator, a completion with a leading space and a stop sequence, and a
sprinkle of the problems ftprep looks for (about 2% of records), so the linter has real work.

Their text is real by default (``--text real``): the texts of the shared corpus
(``$FTPREP_CORPUS`` or ``../shared/corpus``: English, Chinese, Hindi, Portuguese, code, tool
calls...), recombined deterministically. ``--text synthetic`` draws sentences from a
70-word vocabulary instead (the benchmarks' data until 2026-12-03), which makes token
counting, the part of a lint that real text makes expensive, unrealistically cheap.
"""

from __future__ import annotations

import csv
import json
import os
import random
from functools import cache
from pathlib import Path

import orjson

WORDS = [
    "the",
    "a",
    "customer",
    "order",
    "delivery",
    "refund",
    "account",
    "card",
    "payment",
    "invoice",
    "address",
    "password",
    "warranty",
    "product",
    "service",
    "support",
    "team",
    "week",
    "month",
    "day",
    "please",
    "thanks",
    "help",
    "issue",
    "question",
    "answer",
    "because",
    "however",
    "therefore",
    "received",
    "shipped",
    "late",
    "broken",
    "missing",
    "replacement",
    "return",
    "policy",
    "store",
    "online",
    "email",
    "phone",
    "number",
    "receipt",
    "discount",
    "coupon",
    "subscription",
    "cancel",
    "renew",
    "update",
    "change",
    "reset",
    "login",
    "error",
    "message",
    "screen",
    "app",
    "website",
    "price",
    "total",
    "charge",
    "fee",
    "balance",
    "transfer",
    "bank",
    "branch",
    "manager",
    "agent",
    "ticket",
    "status",
    "pending",
    "approved",
]


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])


def completion_record(rng: random.Random, i: int) -> dict:
    prompt = " ".join(sentence(rng, rng.randint(10, 22)) for _ in range(rng.randint(4, 6)))
    completion = " " + " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(1, 2)))
    roll = rng.random()
    sep, stop = "\n\n###\n\n", " END"
    if roll < 0.005:
        sep = ""  # inconsistent separator
    elif roll < 0.010:
        completion = completion.lstrip()  # missing leading space
    elif roll < 0.013:
        stop = ""  # inconsistent stop sequence
    elif roll < 0.015:
        completion = ""
    return {
        "prompt": f"Ticket {i}: {prompt}{sep}",
        "completion": f"{completion}{stop}" if completion else "",
    }


def chat_record(rng: random.Random, i: int) -> dict:
    messages = [{"role": "system", "content": "You are a helpful support assistant."}]
    for _ in range(rng.randint(1, 3)):
        messages.append(
            {
                "role": "user",
                "content": " ".join(
                    sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5))
                ),
            }
        )
        messages.append(
            {
                "role": "assistant",
                "content": " ".join(
                    sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 6))
                ),
            }
        )
    if rng.random() < 0.01:
        messages[-1]["content"] += " "
    return {"messages": messages}


NAMES = ["Alice", "Bob", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana"]
CITIES = ["Paris", "Lagos", "Lima", "Oslo", "Pune", "Quito"]


def templated_record(rng: random.Random, i: int) -> dict:
    """A form letter: one template, a name, a city and three numbers that change. Records
    like these crowd the near-duplicate index (most of them share most of their text)."""
    name, city = rng.choice(NAMES), rng.choice(CITIES)
    ask = (
        f"Customer {name} from {city} asks about order #{rng.randint(1000, 9999)}: where is "
        f"my package? It was due on day {rng.randint(1, 28)}."
    )
    answer = (
        f"Hi {name}, your order shipped from our {city} warehouse and should arrive within "
        f"{rng.randint(2, 9)} days. Thank you for your patience."
    )
    return {
        "messages": [{"role": "user", "content": ask}, {"role": "assistant", "content": answer}]
    }


def corpus_dir() -> Path:
    return Path(
        os.environ.get("FTPREP_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus"
    )


@cache
def corpus_texts() -> tuple[str, ...]:
    """Every string of 20 characters or more in the corpus's JSON, JSONL, CSV and TSV
    files, in a fixed order (sorted files, then file order), each once."""
    root = corpus_dir()
    if not root.is_dir():
        raise SystemExit(
            f"the shared corpus is not at {root}: set FTPREP_CORPUS or pass --text synthetic"
        )
    found: dict[str, None] = {}

    def walk(value: object) -> None:
        if isinstance(value, str):
            if len(value.strip()) >= 20:
                found.setdefault(value.strip())
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in sorted(root.iterdir()):
        try:
            if path.suffix == ".jsonl":
                for line in path.read_text(encoding="utf-8").splitlines():
                    if line.strip():
                        walk(json.loads(line))
            elif path.suffix == ".json":
                walk(json.loads(path.read_text(encoding="utf-8")))
            elif path.suffix in (".csv", ".tsv"):
                text = path.read_text(encoding="utf-8")
                walk(
                    list(
                        csv.reader(
                            text.splitlines(), delimiter="\t" if path.suffix == ".tsv" else ","
                        )
                    )
                )
        except (UnicodeDecodeError, json.JSONDecodeError, csv.Error):
            continue  # the corpus's deliberately broken files
    return tuple(found)


def real_completion_record(rng: random.Random, i: int) -> dict:
    """A legacy record whose prompt and completion are texts of the corpus."""
    texts = corpus_texts()
    prompt = "\n".join(rng.choice(texts) for _ in range(rng.randint(1, 3)))
    completion = " " + rng.choice(texts)
    roll = rng.random()
    sep, stop = "\n\n###\n\n", " END"
    if roll < 0.005:
        sep = ""
    elif roll < 0.010:
        completion = completion.lstrip()
    elif roll < 0.013:
        stop = ""
    elif roll < 0.015:
        completion = ""
    return {"prompt": f"{prompt}{sep}", "completion": f"{completion}{stop}" if completion else ""}


def real_chat_record(rng: random.Random, i: int) -> dict:
    texts = corpus_texts()
    messages = [{"role": "system", "content": "You are a helpful assistant."}]
    for _ in range(rng.randint(1, 3)):
        messages.append({"role": "user", "content": rng.choice(texts)})
        messages.append({"role": "assistant", "content": rng.choice(texts)})
    if rng.random() < 0.01:
        messages[-1]["content"] += " "
    return {"messages": messages}


KINDS = {"completion": completion_record, "chat": chat_record, "templated": templated_record}
REAL_KINDS = {"completion": real_completion_record, "chat": real_chat_record}


def write(
    path: Path, n: int, kind: str = "completion", seed: int = 0, text: str = "synthetic"
) -> Path:
    rng = random.Random(seed)
    make = REAL_KINDS[kind] if text == "real" else KINDS[kind]
    with open(path, "wb") as fh:
        for i in range(n):
            record = make(rng, i)
            if i % 997 == 0 and i:
                record = make(random.Random(seed + i - 997), i - 997)  # an exact duplicate
            fh.write(orjson.dumps(record))
            fh.write(b"\n")
    return path


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output")
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--kind", choices=sorted(KINDS), default="completion")
    parser.add_argument("--text", choices=["real", "synthetic"], default="real")
    args = parser.parse_args()
    write(Path(args.output), args.n, args.kind, text=args.text)
