"""The engine owns the dataset tallies: each rule reads them with its own options.

Before collectors, the first rule of a family created for a job owned the family's tally
and its options: LG002's ``min-probability`` was ignored whenever LG001 was selected too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson

import ftprep

ENGLISH = [
    (
        "How do I reset the password of my account when I no longer remember it?",
        "Open the settings page, choose the security section and follow the reset link.",
    ),
    (
        "Where is the parcel I ordered last week, it should have arrived by now?",
        "Your parcel left our warehouse yesterday and should arrive within two days.",
    ),
    (
        "Can I still change the delivery address after my order has been placed?",
        "Yes, you can change the address on your account page until the parcel ships.",
    ),
]
GERMAN = [
    (
        "What are the opening hours of your shops during the week and on Saturdays?",
        "Unsere Filialen haben montags bis samstags von neun bis achtzehn Uhr geöffnet.",
    ),
    (
        "Is it possible to pay for my order by invoice instead of using a credit card?",
        "Sie können bei uns bequem auf Rechnung bezahlen, wenn Sie ein Kundenkonto haben.",
    ),
]


def write_data(path: Path) -> Path:
    rows = [{"prompt": q, "completion": " " + a} for q, a in ENGLISH * 6 + GERMAN]
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def lg002(report: ftprep.LintReport) -> list[int | None]:
    return [d.record for d in report.diagnostics if d.code == "LG002"]


def test_each_language_rule_keeps_its_own_min_probability(tmp_path: Path) -> None:
    data = str(write_data(tmp_path / "t.jsonl"))
    alone = lg002(ftprep.lint(data, select=["LG002"]))
    assert alone  # a German answer, at the default probability
    # LG001 demanding certainty must not make LG002 demand it (it did: 0 findings).
    together = ftprep.lint(
        data, select=["LG001", "LG002"], rule_options={"LG001": {"min-probability": 1.0}}
    )
    assert lg002(together) == alone
    # And LG002's own setting holds whoever else runs.
    strict = {"LG002": {"min-probability": 1.0}}
    assert lg002(ftprep.lint(data, select=["LG002"], rule_options=strict)) == []
    assert lg002(ftprep.lint(data, select=["LG001", "LG002"], rule_options=strict)) == []


def test_label_tally_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Tallies from other interpreters (Dask workers) are merged with ours: the same data
    gives the same report under any ``PYTHONHASHSEED``."""
    rows = [
        {"prompt": f"ticket {i % 7} ->", "completion": [" yes", " no"][i % 3 == 0]}
        for i in range(60)
    ]
    rows += [{"prompt": "ticket 1 ->", "completion": " maybe"}]
    path = tmp_path / "labels.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "ftprep",
                "lint",
                str(path),
                "--select",
                "CB",
                "--output-format",
                "json",
                "--exit-zero",
            ],
            capture_output=True,
            env=env,
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1
    assert b"CB004" in outputs.pop()  # the conflicting labels were found
