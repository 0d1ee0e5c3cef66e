from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import Rule, Scope
from ftprep.rules.labels import LabelRule, class_name


class ClassMissingFromSplit(LabelRule):
    """## What it does
    With a validation file (`--valid`), reports each class of classification-like training
    data that has no validation example, and each validation class that never occurs in
    training. The finding sits on the first row of the class.

    ## Why is this bad?
    A class missing from validation is never measured; a class missing from training can
    never be predicted, so its validation examples only add loss.

    ## Example
    train.jsonl has ` refund`, ` delivery` and ` warranty`; valid.jsonl has no ` warranty`.

    ## Use instead
    Split with `ftprep split`, which stratifies by class.

    ## Options
    None.

    ## Fix safety
    No fix.

    ## References
    - scikit-learn `train_test_split(stratify=...)`
    """

    code = "CB003"
    name = "class-missing-from-split"
    group = "classes"
    scope = Scope.SPLITS
    default_severity = Severity.ERROR

    @classmethod
    def compare(cls, splits: dict[str, Rule]) -> Iterator[tuple[str, Finding]]:
        train: Any = splits.get("train")
        valid: Any = splits.get("valid")
        if train is None or valid is None or not train.classification:
            return
        if valid.stats.overflow or not valid.stats.n:
            return
        train_rows, valid_rows = train.stats.rows, valid.stats.rows
        sides = (
            ("train", train_rows, valid_rows, "training", "has no validation example"),
            ("valid", valid_rows, train_rows, "validation", "never occurs in the training data"),
        )
        for split, rows, other, noun, missing in sides:
            for label in sorted(set(rows) - set(other)):
                count = len(rows[label])
                yield (
                    split,
                    Finding(
                        f"class {class_name(label)} ({count:,} {noun} example"
                        f"{'s' if count != 1 else ''}) {missing}",
                        record=rows[label][0],
                        data={
                            "class": label,
                            "missing_from": "valid" if split == "train" else "train",
                        },
                    ),
                )
