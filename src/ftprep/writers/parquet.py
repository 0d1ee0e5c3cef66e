"""Parquet output (pyarrow): converted or fixed records as columns, for pipelines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from ftprep.core.errors import UsageError


def is_parquet(path: str) -> bool:
    return path.lower().endswith(".parquet")


def jsonl_to_parquet(jsonl_path: str, output: str) -> None:
    """Write a JSONL file of records as Parquet, one column per top-level key.

    Two passes: the first unifies the schema over every record (a key that only some
    records have becomes a nullable column), the second writes with it, in batches.
    """
    import orjson

    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("writing Parquet needs pyarrow: pip install 'ftprep[parquet]'") from None

    def batches() -> Iterator[list[Any]]:
        batch: list[Any] = []
        with open(jsonl_path, "rb") as fh:
            for line in fh:
                batch.append(orjson.loads(line))
                if len(batch) == 10_000:
                    yield batch
                    batch = []
        if batch:
            yield batch

    schemas = [pa.Table.from_pylist(b).schema for b in batches()]
    if not schemas:
        pq.write_table(pa.table({}), output)
        return
    schema = pa.unify_schemas(schemas, promote_options="permissive")
    tmp = f"{output}.tmp"
    with pq.ParquetWriter(tmp, schema) as writer:
        for batch in batches():
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    os.replace(tmp, output)
