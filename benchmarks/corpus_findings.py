"""Findings per rule on every file of the shared corpus: the false-alarm audit's table.

    python benchmarks/corpus_findings.py [--extend-select LG,DP002] [--json out.json] [FILE...]

Each corpus file is linted with the arguments ``tests/test_corpus.py`` converts it with
(``tests/corpus_mappings.py``), under the default profile for its kind plus
``--extend-select``. The table has one row per file and one column per rule that spoke
anywhere, so a change in what a rule reports on real data shows up as a changed cell.
Corpus: ``$FTPREP_CORPUS`` or ``../shared/corpus``. ``tests/corpus_findings.json`` holds
the audited counts of the default rules, which ``tests/test_corpus.py`` checks.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.corpus_mappings import MAPPINGS, findings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extend-select", default="", help="rules beyond the profile's")
    parser.add_argument("--json", help="also write the counts as JSON here")
    parser.add_argument("files", nargs="*", help="only these corpus files")
    args = parser.parse_args()
    os.environ.setdefault("FTPREP_NO_CACHE", "1")
    names = args.files or sorted(MAPPINGS)
    table: dict[str, Counter] = {}
    for name in names:
        started = time.perf_counter()
        table[name] = findings(name, args.extend_select)
        took = time.perf_counter() - started
        print(f"{name}: {sum(table[name].values())} findings, {took:.1f} s", file=sys.stderr)
    codes = sorted({code for counts in table.values() for code in counts})
    print("| file | " + " | ".join(codes) + " |")
    print("|---|" + "---:|" * len(codes))
    for name, counts in table.items():
        print(f"| {name} | " + " | ".join(str(counts.get(c, "")) for c in codes) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps({n: dict(c) for n, c in table.items()}, indent=1))


if __name__ == "__main__":
    main()
