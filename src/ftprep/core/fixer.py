"""Choosing and applying fixes, record by record.

This module decides which edits to apply, what they do to one record, and runs the loop
that applies, re-lints and repeats (:func:`fix_until_stable`); reading and writing the
passes stays with the caller (:mod:`ftprep.pipeline`). Edits are keyed by the record's stable index, so earlier fixes (dropping a
duplicate, say) never shift the target of later ones, the bug OpenAI's tool had.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ftprep.core.diagnostic import Diagnostic
from ftprep.core.fix import Applicability, DropRecord, Edit, FileEdit

MAX_ITERATIONS = 10


@dataclass
class EditPlan:
    """The edits chosen in one pass, grouped by record; ``None`` holds whole-split edits."""

    by_record: dict[int, list[tuple[str, Edit]]] = field(default_factory=lambda: defaultdict(list))
    global_edits: list[tuple[str, Edit]] = field(default_factory=list)
    file_edits: list[tuple[str, Edit]] = field(default_factory=list)
    # Why each dropped record is dropped (the diagnostic's message), for the rejected file.
    drop_reasons: dict[int, list[tuple[str, str]]] = field(default_factory=dict)

    def for_record(self, index: int) -> list[tuple[str, Edit]]:
        return self.by_record.get(index, [])


def allowed_applicabilities(unsafe: bool) -> frozenset[Applicability]:
    if unsafe:
        return frozenset({Applicability.SAFE, Applicability.UNSAFE})
    return frozenset({Applicability.SAFE})


def plan_edits(
    diagnostics: Iterable[Diagnostic],
    allowed: frozenset[Applicability],
    split: str = "train",
    accept: Any = None,
) -> EditPlan:
    """Collect the edits of every fix we may apply. ``accept(diagnostic) -> bool`` filters."""
    plan = EditPlan()
    for d in diagnostics:
        fix = d.fix
        if fix is None or fix.applicability not in allowed or d.split != split:
            continue
        if accept is not None and not accept(d):
            continue
        for edit in fix.edits:
            if isinstance(edit, FileEdit):
                plan.file_edits.append((d.code, edit))
            elif edit.record is None:
                plan.global_edits.append((d.code, edit))
            else:
                plan.by_record[edit.record].append((d.code, edit))
                if isinstance(edit, DropRecord):
                    plan.drop_reasons.setdefault(edit.record, []).append((d.code, d.message))
    return plan


@dataclass
class RecordOutcome:
    """What the plan did to one record."""

    data: dict[str, Any] | None  # None when dropped
    applied: list[tuple[str, Edit]]
    drop_codes: list[str]


def apply_plan(data: dict[str, Any], index: int, plan: EditPlan) -> RecordOutcome:
    """Apply the plan's edits to one freshly parsed record (its own edits, then whole-split ones)."""
    edits = plan.for_record(index)
    drops: list[tuple[str, Edit]] = [(c, e) for c, e in edits if isinstance(e, DropRecord)]
    if drops:
        return RecordOutcome(None, drops, [code for code, _ in drops])
    # ``data`` was parsed for this pass alone, so it is edited in place.
    applied = [(code, e) for code, e in (*edits, *plan.global_edits) if e.apply(data)]
    return RecordOutcome(data, applied, [])


@dataclass
class FixProgress:
    """What the fix loop did: passes run, edits per rule in all and per pass, and the
    rules whose fixes were still pending when the pass cap stopped it."""

    iterations: int = 0
    applied: Counter[str] = field(default_factory=Counter)
    passes: list[Counter[str]] = field(default_factory=list)
    not_converged: list[str] = field(default_factory=list)


def fix_until_stable(
    diagnostics: list[Diagnostic],
    allowed: frozenset[Applicability],
    apply_pass: Callable[[EditPlan, int], Counter[str]],
    relint: Callable[[int], list[Diagnostic]],
    *,
    accept: Callable[[Diagnostic], bool] | None = None,
    max_passes: int = MAX_ITERATIONS,
) -> FixProgress:
    """The fix loop: plan the allowed edits, apply them, lint the result, and repeat until
    a pass changes nothing (a fix can reveal another: stripping whitespace makes copies
    exact duplicates) or ``max_passes`` ran.

    ``apply_pass(plan, iteration)`` writes the pass's output and returns its edits per
    rule; ``relint(iteration)`` lints that output and returns its diagnostics. Reading and
    writing stay with the caller, so this loop is the same for files, frames and the TUI.
    """
    progress = FixProgress()
    current = diagnostics
    for iteration in range(1, max_passes + 1):
        changes = apply_pass(plan_edits(current, allowed, accept=accept), iteration)
        progress.iterations = iteration
        progress.applied.update(changes)
        if changes:
            progress.passes.append(changes)
        current = relint(iteration)
        if not changes:
            return progress
    leftover = plan_edits(current, allowed, accept=accept)
    progress.not_converged = sorted(
        {c for c, _ in leftover.global_edits}
        | {c for edits in leftover.by_record.values() for c, _ in edits}
    )
    return progress
