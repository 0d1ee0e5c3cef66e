"""Rewrite fixtures/golden/*.jsonl from fixtures/golden/cases.toml. Review the diff by eye."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from ftprep.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "fixtures" / "golden"


def cases() -> list[dict]:
    return tomllib.loads((GOLDEN / "cases.toml").read_text(encoding="utf-8"))["case"]


if __name__ == "__main__":
    for case in cases():
        out = GOLDEN / f"{case['name']}.jsonl"
        rejected = GOLDEN / f"{case['name']}.rejected.jsonl"
        if rejected.exists():
            rejected.unlink()
        src = ROOT / "fixtures" / "inputs" / case["input"]
        code = main(
            [
                "convert",
                str(src.relative_to(ROOT)),
                *case["args"],
                "-o",
                str(out),
                "--rejected",
                str(rejected),
            ]
        )
        print(case["name"], "exit", code)
