"""The review's state, without any widget: findings, decisions, undo, and saving.

Kept apart from Textual so that the decision logic is tested directly and the app stays a
thin view. Decisions are stored exactly as the fix plan stores them (per finding, per rule,
and a default), so what the screen shows is what ``ftprep lint --fix --plan`` will replay.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ftprep.core import jsontext
from ftprep.core.baseline import DEFAULT_BASELINE, Baseline, BaselineEntry, baseline_file_name
from ftprep.core.diagnostic import Diagnostic, Severity
from ftprep.core.errors import UsageError
from ftprep.core.fingerprint import finding_key, fingerprint
from ftprep.core.fix import Applicability, preview
from ftprep.core.fixplan import Decision, FindingDecision, FixPlan, decide
from ftprep.core.reasons import Reason
from ftprep.pipeline import LintRun, RunOptions, fix_file, fix_valid_file, iter_slots, lint_files

Progress = Callable[[str, float], None]
IGNORED = "ignored"  # a review-only state: the finding goes to the baseline, not the plan


@dataclass(frozen=True)
class RuleRow:
    """One line of the summary table."""

    code: str
    name: str
    severity: Severity
    count: int
    fixable: int
    unsafe: int
    accepted: int
    rejected: int
    ignored: int


@dataclass
class SaveOutcome:
    output: str
    rejected_path: str | None
    plan_path: str
    read: int
    written: int
    rejected: int
    applied: Counter[str]
    valid_output: str | None = None
    baseline_path: str | None = None
    ignored_added: int = 0


@dataclass
class _State:
    """Everything ``u`` can take back."""

    findings: dict[tuple[str, str, str], Decision] = field(default_factory=dict)
    rules: dict[str, Decision] = field(default_factory=dict)
    default: str = "skip"
    ignored: set[tuple[str, str, str, str]] = field(default_factory=set)


def default_paths(path: str) -> tuple[str, str]:
    """``<stem>.reviewed.jsonl`` and ``<stem>.fixplan.json`` beside the input."""
    stem = os.path.splitext(path)[0]
    return f"{stem}.reviewed.jsonl", f"{stem}.fixplan.json"


class ReviewSession:
    """Lint once, then hold the findings and the person's decisions about them."""

    def __init__(
        self,
        path: str,
        options: RunOptions,
        *,
        valid: str | None = None,
        output: str | None = None,
        plan_path: str | None = None,
        baseline_path: str | None = None,
    ) -> None:
        self.path = path
        self.valid = valid
        self.options = options
        default_output, default_plan = default_paths(path)
        self.output = output or default_output
        self.plan_path = plan_path or default_plan
        self.baseline_path = baseline_path or options.baseline or DEFAULT_BASELINE
        self.valid_output = default_paths(valid)[0] if valid else None
        self.findings: list[Diagnostic] = []
        self.keys: list[tuple[str, str, str]] = []
        self.by_rule: dict[str, list[int]] = {}
        self.token_summary: dict[str, Any] | None = None
        self.records = 0
        self.layout = ""
        self.loaded = False
        self.state = _State()
        self._history: list[_State] = []
        self.dirty = False
        self._spool: Any = None
        self._offsets: dict[tuple[str, int], int] = {}
        # Records as casefolded text, for the filter (filled as it searches).
        self._searchable: dict[tuple[str, int], str] = {}
        self._hashes: dict[tuple[str, int], str] = {}
        self._counts: dict[str, tuple[int, int]] = {}

    # -- loading ---------------------------------------------------------------------------
    def load(self, progress: Progress | None = None) -> None:
        """Lint, then fingerprint and spool the records that have findings (for display)."""
        inputs = [("train", self.path)] + ([("valid", self.valid)] if self.valid else [])

        def lint_progress(_file: str, done: int, total: int) -> None:
            if progress is not None:
                progress("linting", 0.8 * min(1.0, done / max(total, 1)))

        run = lint_files(inputs, self.options, progress=lint_progress)
        findings = sorted(
            (d for d in run.diagnostics if not d.summary),
            key=lambda d: (d.split != "train", d.code, d.line or 0, d.pointer or "", d.message),
        )
        tk = [r.stats.get("token_summary") for r in run.results if r.split == "train"]
        self.token_summary = tk[0] if tk else None
        self.records = sum(r.n_records for r in run.results)
        self.layout = next(iter(run.layouts.values()), "")
        if progress is not None:
            progress("reading records", 0.8)
        self._spool_records(run, findings)
        self.findings = findings
        self.keys = [
            finding_key(
                self._hashes.get((d.split, d.record)) if d.record is not None else None,
                d.code,
                d.pointer,
            )
            for d in findings
        ]
        by_rule: dict[str, list[int]] = {}
        for i, d in enumerate(findings):
            by_rule.setdefault(d.code, []).append(i)
        self.by_rule = by_rule
        self.loaded = True
        if progress is not None:
            progress("done", 1.0)

    def _spool_records(self, run: LintRun, findings: list[Diagnostic]) -> None:
        fd, spool_path = tempfile.mkstemp(prefix="ftprep-review-", suffix=".jsonl")
        self._spool = os.fdopen(fd, "w+b")
        os.unlink(spool_path)  # the open handle keeps it; nothing is left behind
        for result, opened in zip(run.results, run.opened, strict=True):
            if opened is None:
                continue
            wanted = {
                d.record for d in findings if d.split == result.split and d.record is not None
            }
            if any(d.record is None and d.fix for d in findings if d.split == result.split):
                wanted.add(0)  # the example shown for fixes that change every record
            if not wanted:
                continue
            for slot in iter_slots(opened.source):
                if slot.index not in wanted:
                    continue
                value = slot.record.data if slot.record is not None else slot.raw
                key = (result.split, slot.index)
                self._hashes[key] = fingerprint(value if value is not None else "")
                if isinstance(value, bytes):  # a line that is not UTF-8, shown as far as it reads
                    value = value.decode("utf-8", "replace")
                self._offsets[key] = self._spool.tell()
                self._spool.write(jsontext.dumps({"line": slot.line, "value": value}))
                self._spool.write(b"\n")
                wanted.discard(slot.index)
                if not wanted:
                    break

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    # -- reading ---------------------------------------------------------------------------
    def record_of(self, i: int) -> Any:
        """The record (a dict, or the raw text of an unreadable line) of finding ``i``.

        For a finding about the whole file, the first record stands in as the example.
        """
        d = self.findings[i]
        return self._read_spooled((d.split, d.record if d.record is not None else 0))

    def _read_spooled(self, key: tuple[str, int]) -> Any:
        offset = self._offsets.get(key)
        if offset is None or self._spool is None:
            return None
        self._spool.seek(offset)
        return jsontext.loads(self._spool.readline())["value"]

    def preview(self, i: int) -> tuple[Any, Any]:
        """(before, after) of finding ``i``'s fix, applied by the core to a copy of the record.

        ``after`` is None when the fix drops the record.
        """
        before = self.record_of(i)
        fix = self.findings[i].fix
        if fix is not None and fix.drops:
            return before, None
        if fix is None or not isinstance(before, dict):
            return before, before
        return before, preview(before, fix)

    # -- decisions -------------------------------------------------------------------------
    def plan(self) -> FixPlan:
        st = self.state
        return FixPlan(
            source=os.path.basename(self.path),
            default=st.default,  # type: ignore[arg-type]  # a str, validated by the model
            rules=dict(st.rules),
            findings=[
                FindingDecision(record=k[0], code=k[1], pointer=k[2], decision=v)
                for k, v in st.findings.items()
            ],
        )

    def decision(self, i: int) -> str | None:
        """'accept', 'reject', 'ignored' or None (undecided) for finding ``i``."""
        d = self.findings[i]
        if self._ignore_key(i) in self.state.ignored:
            return IGNORED
        if d.fix is None:
            return None
        st = self.state
        found = decide(self.keys[i], d.fix.applicability, st.findings, st.rules, st.default)
        return found.value if found is not None else None

    def _ignore_key(self, i: int) -> tuple[str, str, str, str]:
        d = self.findings[i]
        return (d.split, *self.keys[i])

    def _push(self) -> None:
        st = self.state
        self._history.append(_State(dict(st.findings), dict(st.rules), st.default, set(st.ignored)))
        self.dirty = True

    def can_apply(self, i: int) -> str | None:
        """Why finding ``i``'s fix cannot be decided on, or None when it can."""
        fix = self.findings[i].fix
        if fix is None:
            return "this finding has no fix"
        if fix.applicability is Applicability.DISPLAY_ONLY:
            return "this fix is display-only: it shows what to change but cannot be applied"
        return None

    def decide(self, i: int, decision: Decision) -> bool:
        if self.can_apply(i) is not None:
            return False
        self._push()
        self.state.ignored.discard(self._ignore_key(i))
        self.state.findings[self.keys[i]] = decision
        return True

    def decide_rule(self, code: str, decision: Decision) -> bool:
        """Accept or reject every fix of a rule; per-finding decisions of that rule are reset."""
        if not self.fixable_in(code):
            return False
        self._push()
        st = self.state
        st.rules[code] = decision
        st.findings = {k: v for k, v in st.findings.items() if k[1] != code}
        return True

    def accept_all_safe(self) -> bool:
        if self.state.default == "safe":
            return False
        self._push()
        self.state.default = "safe"
        return True

    def ignore(self, i: int) -> bool:
        self._push()
        key = self._ignore_key(i)
        if key in self.state.ignored:
            self.state.ignored.discard(key)  # pressing it again takes it back
        else:
            self.state.ignored.add(key)
        return True

    def undo(self) -> bool:
        if not self._history:
            return False
        self.state = self._history.pop()
        self.dirty = bool(self._history)  # empty history: back to the last saved state
        return True

    # -- summaries -------------------------------------------------------------------------
    def fixable_in(self, code: str) -> int:
        """Findings of ``code`` whose fix can be accepted (counted once: findings are fixed)."""
        return self._fix_counts(code)[0]

    def unsafe_in(self, code: str) -> int:
        return self._fix_counts(code)[1]

    def _fix_counts(self, code: str) -> tuple[int, int]:
        counts = self._counts.get(code)
        if counts is None:
            indexes = self.by_rule.get(code, ())
            fixable = sum(1 for i in indexes if self.can_apply(i) is None)
            unsafe = sum(
                1
                for i in indexes
                if (fix := self.findings[i].fix) is not None
                and fix.applicability is Applicability.UNSAFE
            )
            counts = self._counts[code] = (fixable, unsafe)
        return counts

    def rule_rows(self) -> list[RuleRow]:
        rows = []
        for code, indexes in self.by_rule.items():
            first = self.findings[indexes[0]]
            tally = Counter(self.decision(i) for i in indexes)
            rows.append(
                RuleRow(
                    code=code,
                    name=first.name,
                    severity=max(
                        (self.findings[i].severity for i in indexes), key=lambda s: s.rank
                    ),
                    count=len(indexes),
                    fixable=self.fixable_in(code),
                    unsafe=self.unsafe_in(code),
                    accepted=tally["accept"],
                    rejected=tally["reject"],
                    ignored=tally[IGNORED],
                )
            )
        rows.sort(key=lambda r: (-r.severity.rank, r.code))
        return rows

    def matching(self, code: str, text: str) -> list[int]:
        """Findings of ``code`` whose record, location or message contains ``text`` (any
        case)."""
        indexes = self.by_rule.get(code, [])
        needle = text.casefold().strip()
        if not needle:
            return list(indexes)
        out = []
        for i in indexes:
            d = self.findings[i]
            hay = f"{d.line or ''} {d.pointer or ''} {d.column or ''} {d.message}".casefold()
            if needle in hay or needle in self._record_text(d):
                out.append(i)
        return out

    def _record_text(self, d: Diagnostic) -> str:
        """A finding's record as searchable text (casefolded), read once from the spool."""
        if d.record is None:
            return ""
        key = (d.split, d.record)
        found = self._searchable.get(key)
        if found is None:
            value = self._read_spooled(key)
            found = "" if value is None else _strings(value).casefold()
            self._searchable[key] = found
        return found

    # -- saving ----------------------------------------------------------------------------
    def save(self) -> SaveOutcome:
        """Write the baseline (ignored findings), then let the core fixer apply the plan."""
        unreadable = Reason.UNREADABLE_FILE.code
        if any(d.code == unreadable for d in self.findings if d.split == "train"):
            raise UsageError(f"nothing to save: {self.path} could not be read ({unreadable})")
        added = 0
        if self.state.ignored:
            baseline = Baseline.load_or_empty(self.baseline_path)
            entries = []
            for split, record, code, pointer in sorted(self.state.ignored):
                file = self.valid if split == "valid" and self.valid else self.path
                entries.append(
                    BaselineEntry(
                        file=baseline_file_name(file, self.baseline_path),
                        record=record,
                        code=code,
                        pointer=pointer,
                    )
                )
            added = baseline.add(entries)
            baseline.dump(self.baseline_path)
        options = replace(self.options, baseline=self.baseline_path)
        plan = self.plan()
        plan.dump(self.plan_path)
        result = fix_file(
            self.path,
            self.output,
            options,
            plan=plan,
        )
        outcome = SaveOutcome(
            output=self.output,
            rejected_path=result.rejected_path,
            plan_path=self.plan_path,
            read=result.read,
            written=result.written,
            rejected=result.rejected,
            applied=result.applied,
            baseline_path=self.baseline_path if added else None,
            ignored_added=added,
        )
        if self.valid and self.valid_output:
            valid = fix_valid_file(
                self.path,
                self.valid,
                self.valid_output,
                options,
                plan=plan,
            )
            outcome.valid_output = valid.output
            outcome.applied.update(valid.applied)
        self._history.clear()
        self.dirty = False
        return outcome


def _strings(value: Any) -> str:
    """Every string of a record (its texts, and keys' values), joined by newlines."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(_strings(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(_strings(v) for v in value)
    return "" if value is None else str(value)
