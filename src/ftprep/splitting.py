"""Leak-free, stratified train/validation splits.

A split is decided in a first pass and written in a second, so memory stays flat:

1. Lint the input with the exact and near-duplicate rules (DP001, DP002) and the class
   tally (the one CB002 keeps). Records that duplicate each other form clusters: the
   connected components of every confirmed pair (union-find), at the similarity the leak
   check (DP003) uses, and a cluster never straddles the split.
2. Classification-like data is stratified: the clusters of each class are shuffled with a
   seeded generator and taken into validation until the class has its share there. Every
   class must end up in both splits; classes that cannot (a single cluster) are listed in
   the error. Other data is split the same way as one group.
3. Stream the input again and write each record to its split, in input order; records
   that cannot be read go to the rejected file with their reason.
4. Check the written files as ``ftprep lint TRAIN --valid VALID`` does (DP003, the same
   options). The comparison there is sampled from the training file, so it can differ
   slightly from the one over the whole input; any validation record it still calls a
   leak moves to training, with its cluster, and the files are written again. What split
   writes therefore always passes the leak check.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from ftprep.core import jsontext
from ftprep.core.errors import UsageError
from ftprep.core.unionfind import UnionFind
from ftprep.pipeline import RunOptions, StageProgress, iter_slots, lint_files, stage
from ftprep.rules.classes.class_imbalance import ClassImbalance
from ftprep.rules.duplicates._signatures import RecordSignatures
from ftprep.rules.duplicates.exact_duplicate import ExactDuplicate, RecordHashes
from ftprep.rules.duplicates.near_duplicate import NearDuplicate
from ftprep.rules.duplicates.train_validation_leak import TrainValidationLeak as Leak
from ftprep.rules.io.unreadable_file import UnreadableFile
from ftprep.rules.labels import LabelTally
from ftprep.writers.jsonl import AtomicWriter, RejectedFile, workdir


@dataclass
class SplitOutcome:
    """What a split did: counts per split and class, and the records when kept in memory."""

    read: int = 0
    train_count: int = 0
    valid_count: int = 0
    rejected: int = 0
    stratified: bool = False
    clusters_merged: int = 0  # records kept with a duplicate on the same side
    # Validation records moved to training because the leak check still called them leaks.
    moved_for_leaks: int = 0
    wanted: int = 0  # validation records the fraction asks for
    largest_cluster: int = 0
    similarity: float = 0.8  # near-duplicates stay together from here, and leaks are checked
    leak_threshold: float = 0.8  # DP003's threshold, at which `lint --valid` checks
    classes: dict[str, tuple[int, int]] = field(default_factory=dict)  # class -> (train, valid)
    train: list[dict[str, Any]] | None = None
    valid: list[dict[str, Any]] | None = None
    rejected_path: str | None = None
    # Rejected entries (reasons, source, input) when no rejected file was asked for.
    rejected_records: list[dict[str, Any]] = field(default_factory=list)


def _plan(
    path: str,
    options: RunOptions,
    fraction: float,
    seed: int,
    stratify: bool | None,
    similarity: float,
    progress: StageProgress | None = None,
) -> tuple[set[int], SplitOutcome, dict[int, str], UnionFind]:
    """Decide which record indexes go to validation."""
    # The tallies split decides from: records' fingerprints, signatures and labels, read
    # from the collectors of the rules that declare them.
    probe = RunOptions(
        **{
            **options.__dict__,
            "select": [ExactDuplicate.code, NearDuplicate.code, ClassImbalance.code],
            "extend_select": [],
            "ignore": [],
            # At split's similarity, the rule's own findings compute the pairs split reads.
            "rule_options": {
                **options.rule_options,
                NearDuplicate.code: {
                    **options.rule_options.get(NearDuplicate.code, {}),
                    "threshold": similarity,
                },
            },
        }
    )
    run = lint_files([("train", path)], probe, progress=progress)
    result = run.results[0]
    unreadable = [d for d in result.diagnostics if d.code == UnreadableFile.code]
    if unreadable:
        raise UsageError(f"split: cannot read {path}: {unreadable[0].message}")
    union = UnionFind()
    # Every pair, not only each record's closest twin: a cluster is a connected component.
    hashes = result.tally(RecordHashes)
    signatures = result.tally(RecordSignatures)
    pairs = hashes.duplicate_pairs() if hashes is not None else []
    if signatures is not None:
        pairs += [(a, b) for a, b, _ in signatures.near_pairs(similarity)]
    for a, b in pairs:
        union.union(a, b)
    merged = len({a for pair in pairs for a in pair})
    labels = result.tally(LabelTally)
    is_classification = labels.is_classification() if labels is not None else False
    stratified = is_classification if stratify is None else stratify
    if stratified and (labels is None or labels.stats.overflow or not labels.stats.rows):
        raise UsageError("split: --stratify needs classification data (a label per record)")
    label_of = labels.label_of() if labels is not None else {}

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
    wanted = 0
    for stratum, roots in sorted(groups.items()):
        rng = random.Random(f"{seed}:{stratum}")  # string seeds are stable across runs
        order = list(roots)
        rng.shuffle(order)
        total = sum(len(clusters[r]) for r in roots)
        target = max(1, round(total * fraction)) if len(roots) > 1 else 0
        wanted += target
        taken = _take(order, clusters, total, target, valid)
        if not taken and target:
            # Every cluster is bigger than the share: the smallest, unless it is far bigger.
            fits = [r for r in order if len(clusters[r]) <= 2 * target and len(clusters[r]) < total]
            if fits:
                valid.update(clusters[min(fits, key=lambda r: len(clusters[r]))])
    largest = max((len(members) for members in clusters.values()), default=0)
    if not valid and len(result.indexes) > 1:
        raise UsageError(
            f"split: no leak-free validation set: near-duplicates (similarity "
            f"{similarity:g}) join {largest:,} of {len(result.indexes):,} records into one "
            "cluster, which cannot be split. Records made from one template look alike: "
            "count only closer copies as near-duplicates (--similarity 0.95), or drop the "
            "copies first "
            f"(ftprep lint {path} --select DP001,DP002)"
        )
    outcome = SplitOutcome(
        stratified=stratified, clusters_merged=merged, wanted=wanted, largest_cluster=largest
    )
    for index in result.indexes:  # every record has a cluster, for moving it whole later
        union.find(index)
    return valid, outcome, label_of, union


def _take(
    order: list[int], clusters: dict[int, list[int]], total: int, target: int, valid: set[int]
) -> int:
    """Take whole clusters, in the shuffled order, into validation up to ``target``."""
    taken = 0
    for root in order:
        size = len(clusters[root])
        if taken >= target:
            break
        if taken + size > target:
            continue  # a big cluster would overshoot: try the next one
        if total - taken - size <= 0:
            continue  # never empty the training side of a stratum
        valid.update(clusters[root])
        taken += size
    return taken


# Rounds of moving validation records that the leak check still flags; each round moves
# at least one cluster, and in practice one round is all it takes.
MAX_ROUNDS = 10


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
    similarity: float | None = None,
    progress: StageProgress | None = None,
) -> SplitOutcome:
    """Split ``path`` into train and validation (written, and/or kept with ``keep``).

    ``similarity``: from which Jaccard similarity records are near-duplicates that stay on
    one side; by default the leak check's own threshold (DP003's ``threshold`` option).
    """
    import os

    if not 0 < valid_fraction < 1:
        raise UsageError(f"split: --valid-fraction must be between 0 and 1, not {valid_fraction}")
    leak_threshold = float(options.rule_options.get(Leak.code, {}).get("threshold", 0.8))
    if similarity is None:
        similarity = leak_threshold
    if not 0 < similarity <= 1:
        raise UsageError(f"split: --similarity must be above 0 and at most 1, not {similarity}")
    from ftprep.pipeline import open_input

    valid, outcome, label_of, clusters = _plan(
        path, options, valid_fraction, seed, stratify, similarity, progress
    )
    outcome.similarity, outcome.leak_threshold = similarity, leak_threshold
    source = open_input(path, options).source
    with workdir("split") as scratch:
        train_tmp = os.path.join(scratch, "train.jsonl")
        valid_tmp = os.path.join(scratch, "valid.jsonl")
        for _ in range(MAX_ROUNDS):
            written = _write(source, valid, train_tmp, valid_tmp, label_of, progress)
            leaking = _leaks(train_tmp, valid_tmp, options, similarity)
            if not leaking:
                break
            # A validation record the check calls a leak goes to training, with its cluster.
            roots = {clusters.find(written.valid_indexes[k]) for k in leaking}
            moved = {i for i in valid if clusters.find(i) in roots}
            valid -= moved
            outcome.moved_for_leaks += len(moved)
        _finish(written, outcome, keep, train_tmp, valid_tmp)
        _commit(train_tmp, train_output)
        _commit(valid_tmp, valid_output)
        rejected = RejectedFile(rejected_path, source.info.file, source.info.sheet)
        for line, index, reasons, raw in written.rejected:
            rejected.add(line, index, reasons, raw)
        outcome.rejected_path = rejected.close()
        outcome.rejected_records = rejected.entries
    return outcome


@dataclass
class _Written:
    """One write of the split: counts, who went where, and the unreadable slots."""

    read: int = 0
    train_count: int = 0
    valid_count: int = 0
    valid_indexes: list[int] = field(default_factory=list)  # by position in the valid file
    per_class: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    rejected: list[tuple[int, int, list[tuple[str, str]], Any]] = field(default_factory=list)


def _write(
    source: Any,
    valid: set[int],
    train_path: str,
    valid_path: str,
    label_of: dict[int, str],
    progress: StageProgress | None,
) -> _Written:
    """Write every record to its split, in input order."""
    writing = stage(progress, f"{source.info.file}: writing", max(1, source.size))
    out = _Written()
    with AtomicWriter(train_path) as train, AtomicWriter(valid_path) as valid_out:
        for slot in iter_slots(source, writing):
            out.read += 1
            if slot.record is None:
                out.rejected.append((slot.line, slot.index, slot.reasons, slot.raw))
                continue
            if slot.index in valid:
                valid_out.write_record(slot.record.data)
                out.valid_indexes.append(slot.index)
                out.valid_count += 1
                side = "valid"
            else:
                train.write_record(slot.record.data)
                out.train_count += 1
                side = "train"
            if label_of:
                out.per_class[label_of.get(slot.index, "")][side] += 1
    return out


def _leaks(train_path: str, valid_path: str, options: RunOptions, similarity: float) -> list[int]:
    """Positions in the validation file of the records ``lint --valid`` calls leaks (with
    DP003 at the split's similarity)."""
    from ftprep.pipeline import lint_files

    dp003 = {**options.rule_options.get(Leak.code, {}), "threshold": similarity}
    check = RunOptions(
        profile=options.profile,
        select=[Leak.code],
        rule_options={Leak.code: dp003},
        workers=options.workers,
    )
    run = lint_files([("train", train_path), ("valid", valid_path)], check)
    return sorted(
        {d.record for d in run.diagnostics if d.code == Leak.code and d.record is not None}
    )


def _finish(
    written: _Written, outcome: SplitOutcome, keep: bool, train_path: str, valid_path: str
) -> None:
    outcome.read = written.read
    outcome.train_count, outcome.valid_count = written.train_count, written.valid_count
    outcome.rejected = len(written.rejected)
    if keep:
        with open(train_path, "rb") as t, open(valid_path, "rb") as v:
            outcome.train = [jsontext.loads(line) for line in t]
            outcome.valid = [jsontext.loads(line) for line in v]
    if outcome.stratified:
        outcome.classes = {
            label: (c["train"], c["valid"])
            for label, c in sorted(
                written.per_class.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])
            )
        }


def _commit(tmp: str, output: str | None) -> None:
    """Copy a written split into place (atomically)."""
    if output is None:
        return
    with open(tmp, "rb") as src, AtomicWriter(output) as dst:
        dst.copy_from(src)
