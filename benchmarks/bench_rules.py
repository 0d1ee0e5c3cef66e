"""Benchmark: what each rule costs per record, to find the rules worth making faster.

    python benchmarks/bench_rules.py                         # 20k synthetic records
    python benchmarks/bench_rules.py path/to/train.jsonl --records 50000

Reads the records once, detects their kind and counts their tokens as a lint would, then
times each rule of the default profile over the same records in one process (best of
--repeat passes, so a noisy machine hurts less). Rules that share per-record work (the ASCII
profile, the collapsed prompt) are timed alone, so the shared work is counted in each rule that uses it. Dataset rules are timed through ``finish`` as well.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from datagen import write  # noqa: E402

from ftprep.core.linter import PlannedRule, _JobRunner  # noqa: E402
from ftprep.core.model import Kind, Record, detect_kind  # noqa: E402
from ftprep.core.rule import RuleContext, Scope  # noqa: E402
from ftprep.core.text_index import TextIndex  # noqa: E402
from ftprep.core.texts import record_profiles, record_texts  # noqa: E402
from ftprep.pipeline import RunOptions, make_plan  # noqa: E402
from ftprep.readers import ReadOptions, open_source  # noqa: E402


def load(path: Path, limit: int) -> list[list[Record]]:
    """The records of the file's first jobs (the batches the engine checks together)."""
    source = open_source(str(path), ReadOptions())
    jobs: list[list[Record]] = []
    total = 0
    for job in source.jobs():
        records = job.run().records[: limit - total]
        jobs.append(records)
        total += len(records)
        if total >= limit:
            break
    return jobs


def fresh(records: list[Record]) -> list[Record]:
    """Copies without the per-record caches, so each pass pays for its own work."""
    out = []
    for r in records:
        copy = Record(r.index, r.data, r.line)
        copy.kind, copy.tokens, copy.trained_tokens = r.kind, r.tokens, r.trained_tokens
        out.append(copy)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", nargs="?", type=Path)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    path = args.path
    if path is None:
        path = HERE / "data" / f"completion_{args.records}.jsonl"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path, args.records, "completion")
    jobs = load(path, args.records)
    records = [r for job in jobs for r in job]
    kind = detect_kind(records[0].data) or Kind.CHAT
    for r in records:
        r.kind = detect_kind(r.data) or kind
    plan = make_plan(kind, RunOptions())
    ctx = RuleContext(
        file=str(path), split="train", profile=plan.profile, model=plan.model, kind=kind
    )
    ctx.info = open_source(str(path), ReadOptions()).info
    runner = _JobRunner(plan, ctx, [])
    runner._count_tokens(records)
    ctx.n_records = len(records)

    def best_of(run: Callable[[list[list[Record]]], object]) -> float:
        """Best time of ``run`` over every job, on records without cached work."""
        best = float("inf")
        for _ in range(args.repeat):
            batches = [fresh(job) for job in jobs]
            start = time.perf_counter()
            run(batches)
            best = min(best, time.perf_counter() - start)
        return best

    def check_all(p: PlannedRule) -> Callable[[list[list[Record]]], object]:
        def run(batches: list[list[Record]]) -> None:
            # One instance (and one collector) for the whole file: the engine's merge of
            # per-job tallies is not timed.
            rule = p.cls(p.options, ctx)
            spec = rule.collects()
            collector = spec.create(ctx) if spec is not None else None
            for batch in batches:
                runner._batch_kinds = {r.kind for r in batch}
                runner._batches = {}  # a job starts without the previous job's scans
                if p.cls.checks_records():
                    runner._check(p, rule, rule.prefilter(), batch, [])
                if collector is not None and spec is not None:
                    fed = runner._batch(spec.collector.targets, batch)
                    if fed is not None:
                        collector.feed(fed)
            rule.collected = collector
            if p.cls.scope is not Scope.RECORD:
                list(rule.finish())

        return run

    rows = []
    for p in plan.rules:
        if not p.cls.reported_by_reader:
            rows.append((best_of(check_all(p)), p.cls.code, p.cls.name))
    total = sum(t for t, _, _ in rows)
    n = len(records)
    print(
        f"{n:,} {kind.value} records from {path.name} in {len(jobs)} jobs; "
        f"each rule alone, best of {args.repeat}"
    )
    print(f"{'µs/record':>10} {'share':>6}  rule")
    for t, code, name in sorted(rows, reverse=True):
        if t * 1e6 / n >= 0.05:
            print(f"{t * 1e6 / n:10.2f} {t / total:6.1%}  {code} {name}")
    print(f"{total * 1e6 / n:10.2f} {'':6}  all rules (shared work counted in each user)")
    print("shared per-record work, counted above in each rule that uses it:")
    for label, work in SHARED_WORK.items():
        print(f"{best_of(work) * 1e6 / n:10.2f} {'':6}  {label}")


def _texts(batches: list[list[Record]]) -> None:
    for batch in batches:
        for r in batch:
            record_texts(r)


def _profiles(batches: list[list[Record]]) -> None:
    for batch in batches:
        for r in batch:
            record_profiles(r)


def _batch_texts(batches: list[list[Record]]) -> None:
    for batch in batches:
        texts = TextIndex(batch)
        texts.controls, texts.many_digits, texts.case_counts()


SHARED_WORK = {
    "record_texts": _texts,
    "record_texts + record_profiles": _profiles,
    "record_texts + TextIndex + its three scans": _batch_texts,
}


if __name__ == "__main__":
    main()
