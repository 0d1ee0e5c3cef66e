from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.fix import Applicability, DropRecord, Fix, FixAvailability
from ftprep.core.location import Related
from ftprep.core.rule import Rule, Scope
from ftprep.rules.duplicates._signatures import SignatureRule, shingles_of

# Splits compared with train: a validation file, and an external evaluation set (--against).
PEERS = ("valid", "reference")


class TrainValidationLeak(SignatureRule):
    """## What it does
    Reports a validation record that duplicates or nearly duplicates a training record, and
    points at the training record with their similarity. With `--against EVAL`, reports the
    training records that leak into an external evaluation set.

    Records are compared as DP002 compares them: the conversation without its system prompt,
    shingled after Unicode NFKC, casefolding and dropping punctuation; MinHash LSH over the
    training set (datasketch, 128 permutations, fixed seed), queried with each validation
    record, and every candidate confirmed by exact Jaccard similarity.

    ## Why is this bad?
    A validation example the model was trained on measures memory, not generalisation: the
    validation loss looks better than the model is, and early stopping trusts it.

    ## Example
    train.jsonl holds `{"prompt": "Refund for order 1182? ->", "completion": " Yes\\n"}` and
    valid.jsonl holds `{"prompt": "refund for order 1182 ->", "completion": " yes\\n"}`.

    ## Use instead
    Keep each example (and its near-copies) on one side; `ftprep split` does this.

    ## Options
    - `threshold`: Jaccard similarity at or above which a record leaks (default 0.8).

    ## Fix safety
    Unsafe: the fix drops the validation record (to the rejected file), which changes what
    the validation set measures. For `--against`, it drops the training record instead.

    ## References
    - OpenAI fine-tuning guide (validation data); Lee et al. (2022) on train/test overlap
    """

    code = "DP003"
    name = "train-validation-leak"
    group = "duplicates"
    scope = Scope.SPLITS
    default_severity = Severity.ERROR
    fix_availability = FixAvailability.ALWAYS

    def active(self) -> bool:
        return any(split in PEERS for split in self.ctx.splits)

    @classmethod
    def compare(cls, splits: dict[str, Rule]) -> Iterator[tuple[str, Finding]]:
        train: Any = splits.get("train")
        if train is None or train.signatures is None or not len(train.signatures.indexes):
            return
        threshold = train.options.threshold
        lsh = None
        for peer_name in PEERS:
            peer: Any = splits.get(peer_name)
            if peer is None or peer.signatures is None or not len(peer.signatures.indexes):
                continue
            lsh = lsh or train.signatures.index(threshold)
            confirmed, partial = _matches(lsh, peer, train, threshold)
            if peer_name == "valid":  # the validation record leaks from train
                yield from _findings(
                    confirmed, partial, peer, train, "valid", "validation", "the training record at"
                )
            else:  # the training record leaks into the evaluation set
                flipped = [(t, r, sim) for r, t, sim in confirmed]
                yield from _findings(
                    flipped, set(), train, peer, "train", "training", "the evaluation record at"
                )


def _matches(
    lsh: Any, peer: Any, train: Any, threshold: float
) -> tuple[list[tuple[int, int, float]], set[int]]:
    """Confirmed (peer record, training record, similarity) pairs, and the peer records
    whose match count is a lower bound (:func:`ftprep.core.neardup.peer_matches`)."""
    from ftprep.core.neardup import PER_BUCKET, ShingleSets, peer_matches, plausible

    keys = list(peer.signatures.indexes)
    matrix = peer.signatures.matrix()
    candidates = plausible(lsh, matrix, lsh.candidate_rows(matrix, PER_BUCKET), threshold)
    rows = candidates[0]
    wanted_train = {int(k) for r in rows for k in lsh.keys[r].tolist()}
    wanted_peer = {key for key, r in zip(keys, rows, strict=True) if len(r)}
    shingles = shingles_of(train.ctx.shared_text, train.ctx.word_shingles)
    peer_sets = peer.ctx.fetch(wanted_peer, shingles)
    train_sets = train.ctx.fetch(wanted_train, shingles)
    exact = ShingleSets(peer_sets, train_sets)
    return peer_matches(lsh, keys, matrix, candidates, exact, threshold)


def _best(pairs: list[tuple[int, int, float]]) -> dict[int, tuple[int, float, int]]:
    """For each record on the left: its closest match (lowest index among equals), and how
    many it matches."""
    best: dict[int, tuple[int, float, int]] = {}
    for left, right, sim in pairs:
        current = best.get(left)
        if current is None:
            best[left] = (right, sim, 1)
        else:
            keep = (sim, -right) > (current[1], -current[0])
            best[left] = (right, sim, current[2] + 1) if keep else (*current[:2], current[2] + 1)
    return best


def _describe(sim: float, matches: int, where: str, partial: bool) -> str:
    kind = "duplicates" if sim >= 0.9999 else f"nearly duplicates (similarity {sim:.2f})"
    more = f"{matches - 1} more match" + ("es" if matches > 2 else "") if matches > 1 else ""
    if partial:  # a templated training set: not every candidate was confirmed
        more = f"at least {more}" if more else "perhaps more matches"
    return f"{kind} {where}" + (f"; {more}" if more else "")


def _findings(
    pairs: list[tuple[int, int, float]],
    partial: set[int],
    reported: Any,
    matched: Any,
    split: str,
    noun: str,
    where: str,
) -> Iterator[tuple[str, Finding]]:
    """One finding per record of ``reported`` (in ``split``) that matches ``matched``'s."""
    line_of = matched.ctx.line_of
    for index, (match, sim, matches) in sorted(_best(pairs).items()):
        line = line_of(match)
        yield (
            split,
            Finding(
                f"{noun} record "
                + _describe(sim, matches, f"{where} {matched.ctx.file}:{line}", index in partial),
                record=index,
                related=(Related(matched.ctx.file, line, match, similarity=sim),),
                fix=Fix(
                    title=f"Drop this record from the {noun} set",
                    edits=(DropRecord(record=index, split=split),),
                    applicability=Applicability.UNSAFE,
                ),
                data={"similarity": round(sim, 4), "matches": matches},
            ),
        )
