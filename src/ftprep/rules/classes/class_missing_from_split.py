from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.rule import Rule, Scope
from ftprep.rules.classes._labels import LabelRule, class_name


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
        for label in sorted(set(train_rows) - set(valid_rows)):
            count = len(train_rows[label])
            yield (
                "train",
                Finding(
                    f"class {class_name(label)} ({count:,} training example"
                    f"{'s' if count != 1 else ''}) has no validation example",
                    record=train_rows[label][0],
                    data={"class": label, "missing_from": "valid"},
                ),
            )
        for label in sorted(set(valid_rows) - set(train_rows)):
            count = len(valid_rows[label])
            yield (
                "valid",
                Finding(
                    f"class {class_name(label)} ({count:,} validation example"
                    f"{'s' if count != 1 else ''}) never occurs in the training data",
                    record=valid_rows[label][0],
                    data={"class": label, "missing_from": "train"},
                ),
            )
