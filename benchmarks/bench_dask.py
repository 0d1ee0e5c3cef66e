"""ftprep.dask on a local cluster (2 worker processes) against the single-machine run.

    python benchmarks/bench_dask.py               # 100,000 rows, 4 partitions
    python benchmarks/bench_dask.py -n 20000 --partitions 8

Both lint the same table (question/answer columns mapped to chat) with the default rules;
the findings are compared and must be equal.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from datagen import sentence  # noqa: E402


def table(n: int):  # type: ignore[no-untyped-def]
    import pandas as pd

    rng = random.Random(0)
    rows = [
        {
            "question": " ".join(
                sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(2, 4))
            ),
            "answer": " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(2, 5)))
            + (" " if i % 50 == 0 else ""),  # some findings: trailing spaces...
        }
        for i in range(n)
    ]
    rows += [dict(rows[i]) for i in range(0, n, 500)]  # ... and duplicates across partitions
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=4)
    args = parser.parse_args()
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    import ftprep
    import ftprep.dask

    frame = table(args.n)
    kwargs = {"mapping": {"user": "question", "assistant": "answer"}, "to": "chat", "name": "t"}
    start = time.perf_counter()
    single = ftprep.lint_frame(frame, **kwargs)
    single_s = time.perf_counter() - start
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        start = time.perf_counter()
        spread = ftprep.dask.lint(dd.from_pandas(frame, npartitions=args.partitions), **kwargs)
        dask_s = time.perf_counter() - start

    def key(report):  # type: ignore[no-untyped-def]
        return [(d.code, d.line, d.record, d.pointer, d.message) for d in report.diagnostics]

    print(f"{args.n:,} rows; {len(single.diagnostics):,} findings")
    print(f"single machine (lint_frame, one process)    {single_s:6.2f} s")
    print(f"ftprep.dask, {args.partitions} partitions, 2 workers         {dask_s:6.2f} s")
    print(f"findings equal: {key(single) == key(spread)}")


if __name__ == "__main__":
    main()
