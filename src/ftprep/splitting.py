"""Leak-free, stratified train/validation splits.

A split is decided in a first pass and written in a second, so memory stays flat:

1. Lint the input with the exact and near-duplicate rules (DP001, DP002) and the class
   tally (the one CB002 keeps). Records that duplicate each other form clusters
   (union-find over the findings), and a cluster never straddles the split.
2. Classification-like data is stratified: the clusters of each class are shuffled with a
   seeded generator and taken into validation until the class has its share there. Every
   class must end up in both splits; classes that cannot (a single cluster) are listed in
   the error. Other data is split the same way as one group.
3. Stream the input again and write each record to its split, in input order; records
   that cannot be read go to the rejected file with their reason.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ftprep.core.errors import UsageError
from ftprep.pipeline import RunOptions, StageProgress, iter_slots, lint_files, stage
from ftprep.writers.jsonl import AtomicWriter, RejectedFile


@dataclass
class SplitOutcome:
    """What a split did: counts per split and class, and the records when kept in memory."""

    read: int = 0
    train_count: int = 0
    valid_count: int = 0
    rejected: int = 0
    stratified: bool = False
    clusters_merged: int = 0  # records kept with a duplicate on the same side
    classes: dict[str, tuple[int, int]] = field(default_factory=dict)  # class -> (train, valid)
    train: list[dict[str, Any]] | None = None
    valid: list[dict[str, Any]] | None = None
    rejected_path: str | None = None
    # Rejected entries (reasons, source, input) when no rejected file was asked for.
    rejected_records: list[dict[str, Any]] = field(default_factory=list)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The earliest record is the root: clusters are named by their first record.
            self.parent[max(ra, rb)] = min(ra, rb)


def _plan(
    path: str,
    options: RunOptions,
    fraction: float,
    seed: int,
    stratify: bool | None,
    progress: StageProgress | None = None,
) -> tuple[set[int], SplitOutcome, dict[int, str]]:
    """Decide which record indexes go to validation."""
    probe = RunOptions(
        **{
            **options.__dict__,
            "select": ["DP001", "DP002", "CB002"],
            "extend_select": [],
            "ignore": [],
            "rule_options": {**options.rule_options, "CB002": {"min-examples": 0}},
        }
    )
    run = lint_files([("train", path)], probe, progress=progress)
    result = run.results[0]
    io_errors = [d for d in result.diagnostics if d.code == "IO001"]
    if io_errors:
        raise UsageError(f"split: cannot read {path}: {io_errors[0].message}")
    union = _UnionFind()
    merged = 0
    for d in result.diagnostics:
        if d.code in ("DP001", "DP002") and d.record is not None and d.related:
            other = d.related[0].record
            if other is not None:
                union.union(d.record, other)
                merged += 1
    rules = result.stats.get("rules", {})
    tally = rules["CB002"].stats if "CB002" in rules else None
    is_classification = bool(rules["CB002"].classification) if "CB002" in rules else False
    stratified = is_classification if stratify is None else stratify
    if stratified and (tally is None or tally.overflow or not tally.rows):
        raise UsageError("split: --stratify needs classification data (a label per record)")
    label_of: dict[int, str] = {}
    if tally is not None and not tally.overflow:
        for label, rows in tally.rows.items():
            for index in rows:
                label_of[index] = label

    clusters: dict[int, list[int]] = defaultdict(list)
    for index in result.indexes:
        clusters[union.find(index)].append(index)
    groups: dict[str, list[int]] = defaultdict(list)  # stratum -> cluster roots
    for root in sorted(clusters):
        groups[label_of.get(root, "") if stratified else ""].append(root)

    if stratified:
        lonely = sorted(label for label, roots in groups.items() if len(roots) < 2)
        if lonely:
            shown = ", ".join(repr(label) for label in lonely[:20])
            raise UsageError(
                f"split: {len(lonely)} class(es) cannot be in both splits (one example, or "
                f"all its examples are copies of each other): {shown}"
                + (" …" if len(lonely) > 20 else "")
                + "; add examples, merge the classes, or split with --no-stratify"
            )
    valid: set[int] = set()
    for stratum, roots in sorted(groups.items()):
        rng = random.Random(f"{seed}:{stratum}")  # string seeds are stable across runs
        order = list(roots)
        rng.shuffle(order)
        total = sum(len(clusters[r]) for r in roots)
        target = max(1, round(total * fraction)) if len(roots) > 1 else 0
        taken = 0
        for root in order:
            size = len(clusters[root])
            if taken >= target:
                break
            if taken + size > target and taken > 0:
                continue  # a big cluster would overshoot: try the next one
            if total - taken - size <= 0:
                continue  # never empty the training side of a stratum
            valid.update(clusters[root])
            taken += size
    outcome = SplitOutcome(stratified=stratified, clusters_merged=merged)
    return valid, outcome, label_of


def split_file(
    path: str,
    options: RunOptions,
    *,
    valid_fraction: float = 0.1,
    seed: int = 0,
    train_output: str | None = None,
    valid_output: str | None = None,
    rejected_path: str | None = None,
    stratify: bool | None = None,
    keep: bool = False,
    progress: StageProgress | None = None,
) -> SplitOutcome:
    """Split ``path`` into train and validation (written, and/or kept with ``keep``)."""
    if not 0 < valid_fraction < 1:
        raise UsageError(f"split: --valid-fraction must be between 0 and 1, not {valid_fraction}")
    from ftprep.pipeline import open_input

    valid, outcome, label_of = _plan(path, options, valid_fraction, seed, stratify, progress)
    source = open_input(path, options).source
    writing = stage(progress, f"{source.info.file}: writing", max(1, getattr(source, "size", 1)))
    writers = {
        "train": AtomicWriter(train_output) if train_output else None,
        "valid": AtomicWriter(valid_output) if valid_output else None,
    }
    rejected = RejectedFile(rejected_path, source.info.file, source.info.sheet)
    if keep:
        outcome.train, outcome.valid = [], []
    per_class: dict[str, Counter] = defaultdict(Counter)
    try:
        for slot in iter_slots(source, writing):
            outcome.read += 1
            if slot.record is None:
                rejected.add(slot.line, slot.index, slot.reasons, slot.raw)
                continue
            side = "valid" if slot.index in valid else "train"
            writer = writers[side]
            if writer is not None:
                writer.write_record(slot.record.data)
            if keep:
                (outcome.valid if side == "valid" else outcome.train).append(slot.record.data)  # type: ignore[union-attr]
            if side == "valid":
                outcome.valid_count += 1
            else:
                outcome.train_count += 1
            if outcome.stratified or label_of:
                per_class[label_of.get(slot.index, "")][side] += 1
    except BaseException:
        rejected.abort()
        for w in writers.values():
            if w is not None:
                w.close(commit=False)
        raise
    for w in writers.values():
        if w is not None:
            w.close()
    outcome.rejected = rejected.count
    outcome.rejected_path = rejected.close()
    outcome.rejected_records = rejected.entries
    if outcome.stratified:
        outcome.classes = {
            label: (c["train"], c["valid"])
            for label, c in sorted(per_class.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        }
    return outcome
