"""Orchestration: readers + converter + rules + engine + writers, for every front end.

The CLI, the Python API and (later) the TUI and pre-commit hooks all come through here,
so they behave the same. Nothing in this module prints.
"""

from __future__ import annotations

import contextlib
import os
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ftprep.conversion import Converter, Mapping, build_converter
from ftprep.core import jsontext
from ftprep.core.config import PROFILE_FOR_KIND, ModelInfo, Profile, load_profile, resolve_model
from ftprep.core.diagnostic import Diagnostic, Severity
from ftprep.core.errors import ConfigError, UsageError
from ftprep.core.fingerprint import finding_key, fingerprint
from ftprep.core.fix import DropRecord, Edit, FileEdit, KeyEdit
from ftprep.core.fixer import EditPlan, RecordOutcome, apply_plan, fix_until_stable, plan_edits
from ftprep.core.linter import (
    LintPlan,
    SplitResult,
    compare_splits,
    default_workers,
    lint_source,
    sample_records,
)
from ftprep.core.location import SourceInfo, display_name
from ftprep.core.model import Kind, Record, detect_kind
from ftprep.core.rule import Scope
from ftprep.core.selection import plan_rules
from ftprep.core.source import JobOutput
from ftprep.readers import ReadError, ReadOptions, open_source
from ftprep.readers.jsonl import JsonlJob, JsonlSource
from ftprep.rules import REGISTRY, RESERVED
from ftprep.rules.duplicates.train_validation_leak import TrainValidationLeak
from ftprep.rules.io.unreadable_file import UnreadableFile
from ftprep.rules.structure.too_few_examples import TooFewExamples
from ftprep.rules.texts import comparison_basis
from ftprep.rules.tokens.token_summary import TokenSummary
from ftprep.writers.jsonl import (
    AtomicWriter,
    InPlaceGuard,
    RejectedFile,
    default_rejected_path,
    rejected_entry,
    workdir,
)
from ftprep.writers.parquet import is_parquet, jsonl_to_parquet

if TYPE_CHECKING:  # pydantic models: imported when a baseline or a plan is really used
    from ftprep.core.baseline import Baseline, BaselineEntry
    from ftprep.core.fixplan import FixPlan

ProgressFn = Callable[[int], None]
# (what, done, total): a front end's progress bar; "what" names the file and the stage.
StageProgress = Callable[[str, int, int], None]


def stage(progress: StageProgress | None, what: str, total: int) -> ProgressFn | None:
    """A byte counter for one stage of a long operation, feeding ``progress``."""
    if progress is None:
        return None
    done = [0]

    def advance(n: int) -> None:
        done[0] += n
        progress(what, done[0], max(total, done[0], 1))

    return advance


@dataclass
class RunOptions:
    """Everything that decides what a lint, fix or convert run does."""

    profile: str | None = None
    model: str | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    read: ReadOptions = field(default_factory=ReadOptions)
    mapping: Mapping = field(default_factory=Mapping)
    workers: int | None = None
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_on: str | None = None
    # Findings listed in this baseline file are not reported (when the file exists).
    baseline: str | None = None
    # Severity overrides by selector (from the project config), over the profile's.
    severity: dict[str, str] = field(default_factory=dict)
    # Models described in the project config, beside rules/models.toml's.
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What the trainer will train on: a local tokenizer folder, the trainer whose defaults
    # apply (rules/trainers/*.toml), its maximum length and loss, if given.
    tokenizer: str | None = None
    trainer: str | None = None
    max_length: int | None = None
    loss: str | None = None


@dataclass
class OpenedInput:
    source: Any
    converter: Converter | None
    kind: Kind

    @property
    def declares_labels(self) -> bool:
        """Whether the user mapped a label column, or the layout is text/label."""
        converter = self.converter
        return converter is not None and (
            converter.layout == "text-label" or "label" in converter.roles
        )


@dataclass
class LintRun:
    """The outcome of linting one or more splits with one plan."""

    results: list[SplitResult]
    profile: Profile
    model: ModelInfo
    kind: Kind
    layouts: dict[str, str] = field(default_factory=dict)
    # The opened inputs, in the order of ``results`` (None where a file could not be read);
    # sources can be read again, which is how the fixer makes its passes.
    opened: list[OpenedInput | None] = field(default_factory=list)
    # Findings hidden by the baseline, and baseline entries that matched nothing.
    suppressed: int = 0
    stale_baseline: list[BaselineEntry] = field(default_factory=list)
    # (split, record index, code, pointer) of each hidden finding, for the fixer's later passes.
    suppressed_keys: set[tuple[str, int | None, str, str]] = field(default_factory=set)
    # The codes of the rules that ran, so a report can tell "passed" from "not checked".
    checked: list[str] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for r in self.results for d in r.diagnostics]


# -- opening ---------------------------------------------------------------------------
def open_input(
    path: str | Any,
    options: RunOptions,
    stdin_data: bytes | None = None,
    *,
    converting: bool = False,
) -> OpenedInput:
    """Open a file (or take a source already open: a DataFrame's, say), recognise its layout
    and attach the converter that conversion would use (``converting``), or that reads a
    JSONL file as a trainer would (chat in another tool's dialect is then linted as it is)."""
    read = options.read
    if not options.mapping.is_empty:
        read = ReadOptions(
            **{**read.__dict__, "wanted_columns": tuple(options.mapping.needed_columns())}
        )
    source = open_source(path, read, stdin_data=stdin_data) if isinstance(path, str) else path
    sample, columns = source.sample()
    if sample is None:
        kind = Kind(load_profile(options.profile).kind or "chat") if options.profile else Kind.CHAT
        return OpenedInput(source, None, kind)
    try:
        as_written = not converting and isinstance(source, JsonlSource)
        converter = build_converter(options.mapping, sample, columns, as_written=as_written)
    except UsageError as exc:
        where = display_name(source.info.file)
        doubt = source.header_doubt
        if doubt is None:
            raise UsageError(f"{where}: {exc}") from None
        raise UsageError(
            f"{where}: {exc}. The first row looks like data, not a header ({doubt}): if the "
            "file has no header row, pass --no-header and map the columns as A, B, C..."
        ) from None
    if not converter.is_native:
        source.set_transform(converter)
        kind = Kind(converter.target)
    else:
        kind = detect_kind(sample) or Kind.CHAT
    if options.profile:
        declared = load_profile(options.profile).kind
        if declared and converter.is_native:
            kind = Kind(declared)
    return OpenedInput(source, converter, kind)


def make_plan(kind: Kind, options: RunOptions) -> LintPlan:
    profile = load_profile(options.profile or PROFILE_FOR_KIND[kind.value])
    if options.rule_options or options.severity:
        profile = profile.model_copy(
            update={
                "rules": {**profile.rules, **options.rule_options},
                "severity": {**profile.severity, **options.severity},
            }
        )
    model_name = (
        options.model
        or profile.model
        or ("babbage-002" if kind is Kind.COMPLETION else "gpt-4.1-mini")
    )
    model = resolve_model(model_name, options.models)
    planned = plan_rules(
        profile,
        list(REGISTRY.values()),
        select=options.select,
        extend_select=options.extend_select,
        ignore=options.ignore,
        reserved=RESERVED,
    )
    trainer = None
    if options.tokenizer is not None and kind is Kind.CHAT:
        from ftprep.trainers import setup

        trainer = setup(
            options.tokenizer,
            options.trainer,
            options.max_length,
            options.loss,  # type: ignore[arg-type]  # one of LossMode, checked by the CLI
        )
    return LintPlan(rules=planned, profile=profile, model=model, kind=kind, trainer=trainer)


def unreadable(
    path: str, message: str, plan: LintPlan | None, split: str, line: int | None = None
) -> SplitResult:
    """A split that could not be read: one IO001 diagnostic (if IO001 is selected)."""
    info = SourceInfo(file=display_name(path))
    diagnostics = []
    entry = plan.by_code.get(UnreadableFile.code) if plan is not None else None
    if entry is not None or plan is None:
        cls = UnreadableFile
        diagnostics.append(
            Diagnostic(
                code=cls.code,
                name=cls.name,
                severity=entry.severity if entry else Severity.ERROR,
                message=message,
                file=info.file,
                line=line,
                split=split,
            )
        )
    return SplitResult(split, info, diagnostics, 0, Counter(), array("I"))


# -- linting ---------------------------------------------------------------------------
def lint_files(
    inputs: list[tuple[str, str | Any]],
    options: RunOptions,
    progress: Callable[[str, int, int], None] | None = None,
    stdin_data: bytes | None = None,
) -> LintRun:
    """Lint ``[(split, path), ...]`` with one plan (decided by the first readable file)."""
    opened: list[tuple[str, str, OpenedInput | None, tuple[str, int | None] | None]] = []
    for split, path in inputs:
        try:
            opened.append((split, path, open_input(path, options, stdin_data), None))
        except ReadError as exc:
            opened.append((split, path, None, (str(exc), exc.line)))
    first = next((o for _, _, o, _ in opened if o is not None), None)
    kind = (
        first.kind
        if first is not None
        else Kind(load_profile(options.profile).kind or "chat" if options.profile else "chat")
    )
    plan = make_plan(kind, options)
    plan.classification = any(o is not None and o.declares_labels for _, _, o, _ in opened)
    comparing = any(
        p.cls.compares_texts and (p.cls.scope is not Scope.SPLITS or len(inputs) > 1)
        for p in plan.rules
    )
    if comparing and first is not None:
        try:
            sample = sample_records(first.source, kind)
        except ReadError:
            sample = []  # the lint itself reports why the file cannot be read
        plan.shared_text, plan.word_shingles = comparison_basis(sample)
    splits = tuple(split for split, _ in inputs)
    workers = options.workers or default_workers()
    results: list[SplitResult] = []
    layouts: dict[str, str] = {}
    for split, path, opened_input, error in opened:
        if opened_input is None:
            assert error is not None
            results.append(unreadable(_name(path), error[0], plan, split, error[1]))
            continue
        source = opened_input.source
        layouts[source.info.file] = _describe_layout(opened_input)
        callback = stage(progress, source.info.file, max(1, source.size))
        # A reference set (``--against``) is only compared with, never linted itself.
        split_plan = plan.only({TrainValidationLeak.code}) if split == "reference" else plan
        try:
            result = lint_source(
                source, split_plan, split, workers=workers, progress=callback, splits=splits
            )
        except ReadError as exc:
            result = unreadable(_name(path), str(exc), plan, split, exc.line)
        _add_columns(result, opened_input.converter)
        result.stats["layout"] = layouts[source.info.file]
        result.stats["skipped_empty_rows"] = source.skipped_empty
        result.stats["token_summary"] = _token_summary(result)
        results.append(result)
    if len(results) > 1:
        compare_splits(plan, results)
    run = LintRun(results, plan.profile, plan.model, kind, layouts, [o for _, _, o, _ in opened])
    run.checked = [p.cls.code for p in plan.rules]
    if options.baseline and os.path.exists(options.baseline):
        from ftprep.core.baseline import Baseline

        apply_baseline(run, Baseline.load(options.baseline), options.baseline)
    return run


def _name(path: str | Any) -> str:
    return path if isinstance(path, str) else path.info.file


def _describe_layout(opened: OpenedInput) -> str:
    layout = opened.source.info.layout
    if opened.converter is not None:
        return f"{layout}: {opened.converter.describe()}"
    return str(layout)


def _add_columns(result: SplitResult, converter: Converter | None) -> None:
    """Name the source column of each finding on converted tables."""
    if converter is None or not converter.provenance:
        return
    for d in result.diagnostics:
        if d.column is None and d.pointer in converter.provenance:
            d.column = converter.provenance[d.pointer]


def _token_summary(result: SplitResult) -> dict[str, Any] | None:
    rule = result.stats.get("rules", {}).get(TokenSummary.code)
    if rule is None or not len(rule.tokens):
        return None
    summary: dict[str, Any] = rule.summary()
    return summary


# -- streaming records out -------------------------------------------------------------
@dataclass
class Slot:
    """One record slot of an input, in order: a record, or raw input that could not be one."""

    index: int
    line: int
    record: Record | None
    raw: Any = None
    reasons: list[tuple[str, str]] = field(default_factory=list)


def iter_slots(source: Any, progress: ProgressFn | None = None) -> Iterator[Slot]:
    """Every slot of a source in input order (records and rejections interleaved)."""
    for job in source.jobs():
        out: JobOutput = job.run()
        if progress is not None:
            progress(out.bytes_read)
        slots = [Slot(r.index, r.line, r) for r in out.records]
        slots += [Slot(rej.index, rej.line, None, rej.raw, rej.reasons) for rej in out.rejected]
        slots.sort(key=lambda s: s.index)
        yield from slots


def record_fingerprints(source: Any, wanted: set[int] | None = None) -> dict[int, str]:
    """Fingerprint each slot (records by content, unreadable lines by their text) by index."""
    found: dict[int, str] = {}
    if wanted is not None and not wanted:
        return found  # nothing to read for
    for slot in iter_slots(source):
        if wanted is not None and slot.index not in wanted:
            continue
        found[slot.index] = fingerprint(
            slot.record.data if slot.record is not None else slot.raw or ""
        )
        if wanted is not None and len(found) == len(wanted):
            break
    return found


def apply_baseline(run: LintRun, baseline: Baseline, baseline_path: str) -> None:
    """Drop the diagnostics the baseline lists; note how many, and which entries are stale.

    Entries match by record content, rule and pointer in any file (a reviewed copy of a
    file keeps its ignored findings ignored). Only the records with findings are
    fingerprinted, one pass over each input.
    """
    from ftprep.core.baseline import baseline_file_name, match_key

    wanted = {entry.match for entry in baseline.entries}
    if not wanted:
        return
    matched: set[tuple[str, str, str, str]] = set()
    linted: set[str] = set()
    for result, opened in zip(run.results, run.opened, strict=True):
        if opened is None or result.split == "reference":
            continue
        name = baseline_file_name(result.info.file, baseline_path)
        linted.add(name)
        kept = []
        for d, key in _finding_keys(result, opened, name):
            found = match_key(*key)
            if found in wanted:
                matched.add(found)
                run.suppressed += 1
                run.suppressed_keys.add((result.split, d.record, d.code, d.pointer or ""))
            else:
                kept.append(d)
        result.diagnostics[:] = kept
    # Stale: made on a file linted now, and matching no finding of this run.
    run.stale_baseline = [
        e for e in baseline.entries if e.file in linted and e.match not in matched
    ]


def baseline_entries(run: LintRun, baseline_path: str) -> list[BaselineEntry]:
    """Every finding of a run as a baseline entry (``lint --add-baseline``)."""
    from ftprep.core.baseline import BaselineEntry, baseline_file_name

    entries = []
    for result, opened in zip(run.results, run.opened, strict=True):
        if opened is None or result.split == "reference":
            continue
        name = baseline_file_name(result.info.file, baseline_path)
        for d, (file, record, code, pointer) in _finding_keys(result, opened, name):
            if not d.summary:
                entries.append(BaselineEntry(file=file, record=record, code=code, pointer=pointer))
    return entries


def _finding_keys(
    result: SplitResult, opened: OpenedInput, name: str
) -> list[tuple[Diagnostic, tuple[str, str, str, str]]]:
    """Each diagnostic with its baseline key: file name, record fingerprint, rule, pointer.

    Only the records that have findings are fingerprinted (one pass over the input).
    """
    wanted = {d.record for d in result.diagnostics if d.record is not None}
    hashes = record_fingerprints(opened.source, wanted)
    return [
        (
            d,
            (
                name,
                *finding_key(
                    hashes.get(d.record) if d.record is not None else None, d.code, d.pointer
                ),
            ),
        )
        for d in result.diagnostics
    ]


def collect_records(source: Any, name: str) -> tuple[list[Any], list[dict[str, Any]]]:
    """Every slot of a source in memory: the records, and rejected-file entries for the rest
    (for in-memory conversions, where there is no file to write them to)."""
    records, rejected = [], []
    for slot in iter_slots(source):
        if slot.record is not None:
            records.append(slot.record.data)
        else:
            rejected.append(
                rejected_entry(name, slot.line, slot.index, slot.reasons, slot.raw, None)
            )
    return records, rejected


@dataclass
class ConvertResult:
    """Counts of a conversion: read = written + rejected, always."""

    input: str
    output: str
    rejected_path: str | None
    layout: str
    read: int = 0
    written: int = 0
    rejected: int = 0
    skipped_empty_rows: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    # Written records whose answer (completion, assistant turns, chosen output) is empty.
    empty_answers: int = 0
    # Errors a lint of the written file would report, by rule code (structure rules only):
    # output the same tool calls invalid is announced at conversion time.
    output_errors: Counter[str] = field(default_factory=Counter)


def answer_is_empty(data: dict[str, Any]) -> bool:
    """Whether a converted record teaches nothing: its answer text is empty or blank."""
    if "completion" in data:
        answer = data["completion"]
        return isinstance(answer, str) and not answer.strip()
    messages = data.get("messages", data.get("preferred_output"))
    if not isinstance(messages, list):
        return False
    answers = [m for m in messages if isinstance(m, dict) and m.get("role") == "assistant"]
    return bool(answers) and all(
        isinstance(m.get("content"), str) and not m["content"].strip() and not m.get("tool_calls")
        for m in answers
    )


def structure_errors(path: str, options: RunOptions) -> Counter[str]:
    """Errors of the structure rules on a written JSONL file, by code."""
    check = RunOptions(profile=options.profile, select=["structure"], workers=options.workers)
    run = lint_files([("train", path)], check)
    return Counter(
        d.code
        for d in run.diagnostics
        if d.severity is Severity.ERROR and d.code != TooFewExamples.code
    )


def convert_file(
    path: str,
    output: str,
    options: RunOptions,
    rejected_path: str,
    stdin_data: bytes | None = None,
    progress: ProgressFn | None = None,
) -> ConvertResult:
    """Convert one input to JSONL; unconvertible rows go to ``rejected_path`` with reasons."""
    opened = open_input(path, options, stdin_data, converting=True)
    source = opened.source
    result = ConvertResult(source.info.file, output, None, _describe_layout(opened))
    rejected = RejectedFile(rejected_path, source.info.file, source.info.sheet)
    # Parquet is written from a JSONL of the records (its schema needs them all first).
    target = f"{output}.jsonl.tmp" if is_parquet(output) else output
    with AtomicWriter(target) as out:
        try:
            for slot in iter_slots(source, progress):
                result.read += 1
                if slot.record is not None:
                    out.write_record(slot.record.data)
                    result.written += 1
                    result.empty_answers += answer_is_empty(slot.record.data)
                    continue
                rejected.add(slot.line, slot.index, slot.reasons, slot.raw)
                result.reasons.update(code for code, _ in slot.reasons)
        except BaseException:
            rejected.abort()
            raise
    if target != output:
        try:
            jsonl_to_parquet(target, output)
        finally:
            os.unlink(target)
    result.rejected = rejected.count
    result.rejected_path = rejected.close()
    if result.rejected_path is None and os.path.exists(rejected_path) and output != "-":
        os.unlink(rejected_path)  # a stale file from an earlier run would mislead
    result.skipped_empty_rows = source.skipped_empty
    if output != "-" and not is_parquet(output) and result.written:
        result.output_errors = structure_errors(output, options)
    return result


# -- fixing ----------------------------------------------------------------------------
@dataclass
class FixResult:
    """What ``lint --fix`` did: counts, applied edits per rule, and the final lint."""

    output: str
    rejected_path: str | None
    fixlog_path: str | None
    read: int = 0
    written: int = 0
    rejected: int = 0
    iterations: int = 0
    applied: Counter[str] = field(default_factory=Counter)
    # The edits of each pass: the first applies what the lint announced, later ones what the
    # earlier edits revealed (stripping whitespace can make two records equal).
    passes: list[Counter[str]] = field(default_factory=list)
    not_converged: list[str] = field(default_factory=list)
    final: LintRun | None = None
    valid: ValidFixResult | None = None
    # Whether the written bytes differ from the input's (a BOM, CRLF or blank line gone
    # counts too): what --exit-non-zero-on-fix asks.
    changed: bool = False
    # Where an earlier run's rejected file went instead of being overwritten.
    previous_rejected: str | None = None


class _ProvenanceJsonl(JsonlSource):
    """An intermediate JSONL file whose slots map back to the original file's records."""

    def __init__(
        self, tmp_path: str, info: SourceInfo, indexes: array[int], lines: array[int]
    ) -> None:
        super().__init__(tmp_path)
        self.info = info
        self.indexes = indexes
        self.orig_lines = lines

    def _job(
        self, chunk: bytes, offset: int, first_line: int, first_index: int
    ) -> Iterator[JsonlJob]:
        for job in super()._job(chunk, offset, first_line, first_index):
            yield _RemappedJob(job, self.indexes, self.orig_lines)  # type: ignore[misc]  # a JsonlJob by duck typing


@dataclass
class _RemappedJob:
    job: JsonlJob
    indexes: array[int]
    lines: array[int]

    def run(self) -> JobOutput:
        job = self.job
        # Issues and findings use slot positions; translate them to the original records.
        out = job.run()
        first = out.first_index
        n = len(out.lines)
        idx = self.indexes[first : first + n]
        lns = self.lines[first : first + n]
        for r in out.records:
            k = r.index - first
            r.index, r.line = idx[k], lns[k]
        for rej in out.rejected:
            k = rej.index - first
            rej.index, rej.line = idx[k], lns[k]
        for _code, f in out.issues:
            if f.record is not None and first <= f.record < first + n:
                k = f.record - first
                f.record, f.line = idx[k], lns[k]
                if f.fix is not None:
                    f.fix = replace(
                        f.fix,
                        edits=tuple(
                            replace(e, record=idx[k]) if e.record is not None else e
                            for e in f.fix.edits
                        ),
                    )
        out.lines = array("I", lns)
        out.indexes = array("I", idx)
        out.first_index = 0 if not n else idx[0]
        return out


@dataclass
class _PassState:
    """Between fix passes: the data the next pass reads, its lint, and its temporary file."""

    source: Any
    run: LintRun
    tmp: str | None = None


def fix_file(
    path: str,
    output: str,
    options: RunOptions,
    *,
    unsafe: bool = False,
    rejected_path: str | None = None,
    fixlog_path: str | None = None,
    accept: Callable[[Diagnostic], bool] | None = None,
    plan: FixPlan | None = None,
    stdin_data: bytes | None = None,
    progress: StageProgress | None = None,
) -> FixResult:
    """Apply fixes until nothing changes (:func:`~ftprep.core.fixer.fix_until_stable`, at
    most ``MAX_ITERATIONS`` passes), then write the output.

    Every pass re-reads the current data, so memory stays flat; intermediate passes live in
    temporary JSONL files that remember each record's original line and index. Dropped
    records go to ``rejected_path`` with the diagnostics that dropped them; every applied
    edit goes to ``fixlog_path``. With a fix ``plan``, the plan alone decides which fixes
    apply (safe or unsafe), keyed by the fingerprints of the original records.
    """
    from ftprep.core.fixer import allowed_applicabilities

    allowed = allowed_applicabilities(unsafe or plan is not None)
    run = lint_files([("train", path)], options, progress=progress, stdin_data=stdin_data)
    result = FixResult(output, None, None, final=run)
    first = run.results[0]
    if any(d.code == UnreadableFile.code for d in first.diagnostics):
        return result
    first_input = run.opened[0]
    assert first_input is not None  # an unreadable file returned above
    source: Any = first_input.source
    if plan is not None:
        hashes = record_fingerprints(source)
        accept = plan.acceptor({"train": hashes.get})
    info = source.info
    if isinstance(source, JsonlSource):
        source.keep_raw = True  # unedited lines are written back as they are
    in_place = output != "-" and path != "-" and same_file(path, output)
    # Later passes read our own JSONL of converted records: no mapping, same plan.
    relint_options = RunOptions(**{**options.__dict__, "mapping": Mapping()})
    sink = _FixSink(
        info,
        rejected_path or default_rejected_path(output),
        fixlog_path,
        original=source,
        keep_previous=in_place,
    )
    guard = InPlaceGuard(path) if in_place else contextlib.nullcontext()
    with guard, workdir("fix") as scratch:
        try:
            state = _PassState(source, run)

            def apply_pass(edit_plan: EditPlan, iteration: int) -> Counter[str]:
                if iteration == 1:
                    for code, edit in edit_plan.file_edits:
                        line = edit.line if isinstance(edit, FileEdit) else None
                        sink.log_edit(code, edit, None, line)
                tmp = os.path.join(scratch, f"pass{iteration}.jsonl")
                indexes, lines = array("I"), array("I")
                reading = state.source
                size = max(1, reading.size)
                writing = stage(progress, f"{info.file}: fixing (pass {iteration})", size)
                changes = _apply_pass(reading, edit_plan, tmp, indexes, lines, sink, writing)
                if iteration == 1:  # a BOM or blank lines removed are edits too
                    changes.update(code for code, _ in edit_plan.file_edits)
                if state.tmp is not None:
                    os.unlink(state.tmp)
                state.tmp = tmp
                result.written = len(indexes)
                written = _ProvenanceJsonl(tmp, info, indexes, lines)
                written.keep_raw = True
                state.source = written
                return changes

            def relint(iteration: int) -> list[Diagnostic]:
                reading = state.source
                size = max(1, reading.size)
                checking = stage(progress, f"{info.file}: checking (pass {iteration})", size)
                checked = _lint_source_only(reading, relint_options, run, checking)
                _drop_suppressed(checked, run.suppressed_keys)
                state.run = checked
                return checked.diagnostics

            loop = fix_until_stable(run.diagnostics, allowed, apply_pass, relint, accept=accept)
            result.iterations = loop.iterations
            result.applied.update(loop.applied)
            result.passes = loop.passes
            result.not_converged = loop.not_converged
            current_run, last_tmp = state.run, state.tmp
            result.final = current_run
            result.read = first.n_records
            result.rejected = sink.rejected_count
            assert last_tmp is not None
            result.changed = path == "-" or not same_content(path, last_tmp)
            if isinstance(guard, InPlaceGuard):
                guard.check_unchanged()  # a second run, an editor: their changes win, ours wait
            try:
                result.rejected_path, result.fixlog_path = sink.close()
            finally:
                sink.abort()
            result.previous_rejected = sink.previous
            _commit(last_tmp, output)
        except BaseException:
            sink.abort()  # an interrupted run leaves no fix log behind
            raise

    return result


@dataclass
class ValidFixResult:
    """What fixing a validation file did: the leaks (DP003) and its own safe fixes."""

    output: str
    rejected_path: str | None
    read: int = 0
    written: int = 0
    rejected: int = 0
    applied: Counter[str] = field(default_factory=Counter)
    changed: bool = False
    previous_rejected: str | None = None


def fix_valid_file(
    train: str,
    valid: str,
    output: str,
    options: RunOptions,
    *,
    unsafe: bool = False,
    rejected_path: str | None = None,
    fixlog_path: str | None = None,
    accept: Callable[[Diagnostic], bool] | None = None,
    plan: FixPlan | None = None,
) -> ValidFixResult:
    """Apply the fixes that belong to the validation split, in one pass.

    They are the validation records that leak from train (DP003, unsafe: dropped to the
    rejected file) and the per-record fixes of the validation file itself. Train is read
    as given, so a leak is found whichever train copy it matches.
    """
    from ftprep.core.fixer import allowed_applicabilities

    run = lint_files([("train", train), ("valid", valid)], options)
    valid_input = run.opened[1]
    result = ValidFixResult(output, None)
    if valid_input is None:
        return result
    if plan is not None:
        hashes = record_fingerprints(valid_input.source)
        accept = plan.acceptor({"valid": hashes.get})
    edit_plan = plan_edits(
        run.diagnostics,
        allowed_applicabilities(unsafe or plan is not None),
        split="valid",
        accept=accept,
    )
    source = valid_input.source
    if isinstance(source, JsonlSource):
        source.keep_raw = True
    sink = _FixSink(
        source.info,
        rejected_path or default_rejected_path(output),
        fixlog_path,
        original=source,
        keep_previous=same_file(valid, output),
    )
    with workdir("fix") as scratch:
        tmp = os.path.join(scratch, "valid.jsonl")
        indexes, lines = array("I"), array("I")
        result.applied = _apply_pass(source, edit_plan, tmp, indexes, lines, sink)
        result.read = run.results[1].n_records
        result.written = len(indexes)
        result.rejected = sink.rejected_count
        result.changed = not same_content(valid, tmp)
        try:
            result.rejected_path, _ = sink.close()
        finally:
            sink.abort()
        result.previous_rejected = sink.previous
        _commit(tmp, output)
    return result


class _FixSink:
    """Where a fix run writes dropped records and its log, opened only when needed.

    Dropped records are written at the end, from the original input: a record dropped in
    a later pass (a duplicate that stripping whitespace made) goes to the rejected file as
    it was read, not as the earlier passes left it. ``keep_previous`` (a fix in place, whose
    input is replaced) moves an earlier run's rejected file aside instead of overwriting it:
    its records exist nowhere else.
    """

    def __init__(
        self,
        info: SourceInfo,
        rejected_path: str,
        fixlog_path: str | None,
        original: Any = None,
        keep_previous: bool = False,
    ) -> None:
        self.fixlog_path = fixlog_path
        self.rejected_path = rejected_path
        self.info = info
        self.original = original
        self.keep_previous = keep_previous
        self.previous: str | None = None
        self.pending: dict[int, tuple[int, list[tuple[str, str]]]] = {}
        self._log: AtomicWriter | None = None
        # The JSON style of the input's lines, for edited lines (set from the first one).
        self.style: jsontext.Style | None = None

    @property
    def rejected_count(self) -> int:
        return len(self.pending)

    def reject(self, line: int, index: int, reasons: list[tuple[str, str]]) -> None:
        self.pending[index] = (line, reasons)

    def log_edit(self, code: str, edit: Edit, index: int | None, line: int | None) -> None:
        if self.fixlog_path is None:
            return
        if self._log is None:
            self._log = AtomicWriter(self.fixlog_path)
        entry: dict[str, Any] = {"code": code, "op": edit.op, "record": index, "line": line}
        if edit.pointer:
            entry["pointer"] = edit.pointer
        value = edit.as_dict().get("value")
        if value is not None and not isinstance(edit, (DropRecord, FileEdit)):
            entry["value"] = value
        self._log.write_record(entry)

    def close(self) -> tuple[str | None, str | None]:
        log_path = None
        if self._log is not None:
            self._log.close()
            log_path, self._log = self._log.path, None
        return self._write_rejected(), log_path

    def _write_rejected(self) -> str | None:
        if not self.pending:
            return None
        if self.keep_previous:
            self.previous = set_aside(self.rejected_path)
        rejected = RejectedFile(self.rejected_path, self.info.file, self.info.sheet)
        try:
            left = dict(self.pending)
            for slot in iter_slots(self.original):
                found = left.pop(slot.index, None)
                if found is not None:
                    line, reasons = found
                    value = slot.record.data if slot.record is not None else slot.raw
                    rejected.add(line, slot.index, reasons, value)
                if not left:
                    break
        except BaseException:
            rejected.abort()
            raise
        return rejected.close()

    def abort(self) -> None:
        if self._log is not None:
            self._log.close(commit=False)
            self._log = None


def set_aside(path: str) -> str | None:
    """Move an existing, non-empty file to the first free ``NAME.N.jsonl`` beside it."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return None
    stem = path[: -len(".jsonl")] if path.endswith(".jsonl") else path
    n = 1
    while os.path.exists(f"{stem}.{n}.jsonl"):
        n += 1
    os.replace(path, f"{stem}.{n}.jsonl")
    return f"{stem}.{n}.jsonl"


def _lint_source_only(
    source: Any, options: RunOptions, first_run: LintRun, progress: ProgressFn | None = None
) -> LintRun:
    plan = make_plan(first_run.kind, options)
    result = lint_source(
        source, plan, "train", workers=options.workers or default_workers(), progress=progress
    )
    result.stats["token_summary"] = _token_summary(result)
    result.stats["layout"] = first_run.results[0].stats.get("layout")
    return LintRun([result], plan.profile, plan.model, first_run.kind, first_run.layouts)


def _drop_suppressed(run: LintRun, keys: set[tuple[str, int | None, str, str]]) -> None:
    """Keep findings the baseline hid on the first pass hidden on the later ones."""
    if not keys:
        return
    for result in run.results:
        result.diagnostics[:] = [
            d
            for d in result.diagnostics
            if (result.split, d.record, d.code, d.pointer or "") not in keys
        ]
    run.suppressed = len(keys)


def _apply_pass(
    source: Any,
    plan: EditPlan,
    tmp: str,
    indexes: array[int],
    lines: array[int],
    sink: _FixSink,
    progress: ProgressFn | None = None,
) -> Counter[str]:
    """Write one pass of the data with the plan applied; returns changes per rule code.

    A record no edit touched is written back as it was read, byte for byte (a JSONL input
    keeps its lines; a ``git diff`` shows only the edits); an edited one in the file's own
    JSON style.
    """
    changes: Counter[str] = Counter()
    with open(tmp, "wb") as out:
        for slot in iter_slots(source, progress):
            if slot.record is None:
                drops = [c for c, e in plan.for_record(slot.index) if isinstance(e, DropRecord)]
                if drops:
                    reasons = plan.drop_reasons.get(slot.index) or slot.reasons
                    sink.reject(slot.line, slot.index, reasons)
                    sink.log_edit(drops[0], DropRecord(record=slot.index), slot.index, slot.line)
                    changes[drops[0]] += 1
                    continue
                # Not quarantined: the line stays exactly as it was (nothing is lost).
                raw = slot.raw
                if isinstance(raw, bytes):
                    out.write(raw)  # bytes that are not UTF-8, exactly as they were
                else:
                    out.write(raw.encode("utf-8") if isinstance(raw, str) else jsontext.dumps(raw))
            else:
                record = slot.record
                if sink.style is None and record.raw is not None:
                    sink.style = jsontext.style_of(record.raw)
                outcome = apply_plan(record.data, slot.index, plan)
                if record.renamed and outcome.data is not None:
                    outcome.data = _settle_renames(outcome, record.renamed, plan, slot.index)
                for code, edit in outcome.applied:
                    sink.log_edit(code, edit, slot.index, slot.line)
                    changes[code] += 1
                if outcome.data is None:
                    reasons = plan.drop_reasons.get(slot.index) or [
                        (code, _drop_reason(code)) for code in outcome.drop_codes
                    ]
                    sink.reject(slot.line, slot.index, reasons)
                    continue
                if record.raw is not None and not outcome.applied and not record.renamed:
                    raw_line = record.raw
                    out.write(raw_line[:-1] if raw_line.endswith(b"\r") else raw_line)
                else:
                    out.write((sink.style or _COMPACT).dumps(outcome.data))
            out.write(b"\n")
            indexes.append(slot.index)
            lines.append(slot.line)
    return changes


_COMPACT = jsontext.Style()


def _settle_renames(
    outcome: RecordOutcome, renamed: dict[str, str], plan: EditPlan, index: int
) -> dict[str, Any]:
    """A record read under corrected key names keeps a name only where its rename fix was
    chosen (it then counts as applied); every other key goes back to its written name."""
    chosen = {
        edit.pointer[1:]: (code, edit)
        for code, edit in plan.for_record(index)
        if isinstance(edit, KeyEdit) and edit.action == "rename-key"
    }
    back = {}
    for canonical, original in renamed.items():
        if original in chosen:
            outcome.applied.append(chosen[original])
        else:
            back[canonical] = original
    data = outcome.data
    assert data is not None
    return {back.get(k, k): v for k, v in data.items()} if back else data


def _drop_reason(code: str) -> str:
    cls = REGISTRY.get(code)
    return f"dropped by the fix for {code} ({cls.name})" if cls else f"dropped by {code}"


def _commit(tmp: str, output: str) -> None:
    """Move the last pass into place (atomically), or stream it to stdout for ``-``."""
    import shutil
    import sys

    if output == "-":
        with open(tmp, "rb") as fh:
            shutil.copyfileobj(fh, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    if is_parquet(output):
        jsonl_to_parquet(tmp, output)
        return
    with open(tmp, "rb") as src, AtomicWriter(output) as dst:
        dst.copy_from(src)


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file (symbolic links resolved)."""
    return os.path.realpath(a) == os.path.realpath(b)


def same_content(path: str, other: str) -> bool:
    """Whether two files hold the same bytes (a missing or unreadable one: no)."""
    import filecmp

    try:
        return filecmp.cmp(path, other, shallow=False)
    except OSError:
        return False


def fail_threshold(options: RunOptions, profile: Profile) -> Severity:
    level = options.fail_on or profile.fail_on
    try:
        return Severity(level)
    except ValueError:
        raise ConfigError(f"--fail-on must be error, warning or info, not {level!r}") from None


__all__ = [
    "ConvertResult",
    "FixResult",
    "LintRun",
    "RunOptions",
    "ValidFixResult",
    "apply_baseline",
    "baseline_entries",
    "collect_records",
    "convert_file",
    "fix_file",
    "fix_valid_file",
    "lint_files",
    "record_fingerprints",
]
