"""A small chat file with planted, fixable problems for the review and fix-plan tests.

Planted, by line:
  2, 5, 8  WS002 trailing whitespace on the answer (safe fix)
  3, 6     WS003 a zero-width space in the question (safe fix)
  10       DP001 an exact duplicate of line 1 (safe fix: dropped to the rejected file)
  11       SC010 two user turns in a row (unsafe fix: merged)
  12       SC008 ends on a user turn (unsafe fix: truncated)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

SYSTEM = "You answer questions about the ACME kettle."


def _chat(question: str, answer: str) -> dict[str, Any]:
    return {
        "messages": [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
    }


def planted_records() -> list[dict[str, Any]]:
    topics = [
        "descale",
        "clean",
        "fill",
        "empty",
        "store",
        "unplug",
        "repair",
        "return",
        "replace",
    ]
    records = [
        _chat(f"How do I {t} my kettle?", f"To {t} your kettle, follow step {n} in the manual.")
        for n, t in enumerate(topics, start=1)
    ]
    for line in (2, 5, 8):
        records[line - 1]["messages"][2]["content"] += "  "
    for line in (3, 6):
        records[line - 1]["messages"][1]["content"] = records[line - 1]["messages"][1][
            "content"
        ].replace("my", "my\u200b")
    records.append(orjson.loads(orjson.dumps(records[0])))  # line 10: duplicate of line 1
    records.append(
        {
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": "Is the kettle loud?"},
                {"role": "user", "content": "And does it have a warranty?"},
                {"role": "assistant", "content": "It is quiet and has a two-year warranty."},
            ]
        }
    )
    records.append(
        {
            "messages": [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": "What colour is it?"},
                {"role": "assistant", "content": "It comes in white and black."},
                {"role": "user", "content": "Thanks!"},
            ]
        }
    )
    return records


def write_planted(path: Path) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in planted_records()))
    return path
