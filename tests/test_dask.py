"""ftprep.dask on a real local Dask cluster: the findings equal the single-machine run."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from dask.distributed import Client, LocalCluster

import ftprep
import ftprep.dask


@pytest.fixture(scope="module")
def cluster() -> Client:
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
        Client(local) as client,
    ):
        yield client


def _table(n: int, seed: int) -> pd.DataFrame:
    """Classification-like support tickets with duplicates far apart and a rare class."""
    rng = random.Random(seed)
    topics = ["refund", "delivery", "password", "invoice"]
    rows = []
    for i in range(n):
        topic = rng.choice(topics)
        words = " ".join(
            rng.choice(["my", "the", "order", "card", "late", "again", "help"])
            for _ in range(rng.randint(4, 12))
        )
        rows.append({"text": f"Ticket {i} about {topic}: {words}", "label": topic})
    rows.append({"text": "Ticket about a broken lid", "label": "hardware"})  # a rare class
    for i in range(0, n, 97):  # exact duplicates, landing in other partitions
        rows.append(dict(rows[i]))
    rows.append({"text": "", "label": ""})  # an empty row: skipped, keeps its row number
    rows.append({"text": "Trailing space here ", "label": "refund"})
    return pd.DataFrame(rows)


def _key(report: ftprep.LintReport) -> list[tuple]:
    return [
        (d.code, d.split, d.line, d.record, d.pointer, d.message, d.severity.value)
        for d in report.diagnostics
    ]


def test_lint_on_four_partitions_equals_the_single_machine_run(cluster: Client) -> None:
    import dask.dataframe as dd

    frame = _table(600, 1)
    valid = pd.concat([_table(40, 2), frame.iloc[[5, 50]]], ignore_index=True)  # two leaks
    kwargs = {"mapping": {"prompt": "text", "completion": "label"}, "name": "tickets"}
    single = ftprep.lint_frame(frame, valid=valid, valid_name="valid", **kwargs)
    spread = ftprep.dask.lint(
        dd.from_pandas(frame, npartitions=4),
        valid=dd.from_pandas(valid, npartitions=2),
        valid_name="valid",
        **kwargs,
    )
    assert _key(spread) == _key(single)
    codes = spread.summary.by_code
    # The dataset-level rules really had work to do across partitions.
    assert codes["DP001"] >= 6 and codes["DP003"] >= 2 and codes["CB002"] >= 1
    assert spread.files[0].records == single.files[0].records == len(frame) - 1
    assert spread.files[0].tokens == single.files[0].tokens


def test_convert_on_partitions_equals_convert_frame(cluster: Client) -> None:
    import dask.dataframe as dd

    frame = _table(300, 3)
    kwargs = {"mapping": {"user": "text", "assistant": "label"}, "to": "chat"}
    single = ftprep.convert_frame(frame, **kwargs)
    spread = ftprep.dask.convert(dd.from_pandas(frame, npartitions=4), **kwargs)
    assert spread.records.compute() == single.records
    assert spread.rejected.compute() == single.rejected
    assert spread.layout.startswith("dask-dataframe: mapped columns")
