"""The lint engine: runs the rule lifecycle over a stream of records.

Input arrives as *jobs*, each a contiguous run of record slots (a chunk of a JSONL file, a
batch of spreadsheet rows). A job parses its records, the engine counts tokens once per
record when a selected rule needs them, runs record rules, and feeds dataset rules, whose
state is merged back in input order. Jobs of large files run in worker processes (both
cores of a small machine), small inputs run inline so that pre-commit starts fast. Memory
stays flat: the engine keeps only one line number per record, the rules' compact state,
and the diagnostics.
"""

from __future__ import annotations

import os
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.config import ModelInfo, Profile
from ftprep.core.diagnostic import Diagnostic, Finding, Severity
from ftprep.core.location import SourceInfo
from ftprep.core.model import Kind, Record, detect_kind
from ftprep.core.prefilter import Prefilter, select
from ftprep.core.rendering import TrainerSetup
from ftprep.core.rule import Rule, RuleContext, Scope
from ftprep.core.source import Job, JobOutput, Source

C = TypeVar("C", bound=Collector)


@dataclass(frozen=True)
class PlannedRule:
    """A selected rule with its resolved options and severity."""

    cls: type[Rule]
    options: BaseModel
    severity: Severity
    severity_configured: bool = False


@dataclass
class LintPlan:
    """Everything a worker needs to lint a job, decided once per run."""

    rules: list[PlannedRule]
    profile: Profile
    model: ModelInfo
    kind: Kind
    # Reader-reported codes (IO) map to their planned rule for stamping; unselected ones drop.
    by_code: dict[str, PlannedRule] = field(default_factory=dict)
    classification: bool = False
    # Text every record shares per pointer (see RuleContext.shared_text).
    shared_text: dict[str, tuple[str, str]] = field(default_factory=dict)
    word_shingles: bool | None = None
    # The tokenizer and trainer to render records with (``--tokenizer``), or None.
    trainer: TrainerSetup | None = None

    def only(self, codes: set[str]) -> LintPlan:
        """The same plan with only the given rules (a reference set runs just the leak rule)."""
        return LintPlan(
            [p for p in self.rules if p.cls.code in codes],
            self.profile,
            self.model,
            self.kind,
            classification=self.classification,
            shared_text=self.shared_text,
            word_shingles=self.word_shingles,
            trainer=self.trainer,
        )

    def __post_init__(self) -> None:
        self.by_code = {p.cls.code: p for p in self.rules}

    @property
    def needs_tokens(self) -> bool:
        return any(p.cls.needs_tokens for p in self.rules)

    @property
    def needs_rendering(self) -> bool:
        return self.trainer is not None and any(p.cls.needs_rendering for p in self.rules)

    @property
    def compares_texts(self) -> bool:
        return any(p.cls.compares_texts for p in self.rules)


@dataclass
class SplitResult:
    """The outcome of linting one split (one input file)."""

    split: str
    info: SourceInfo
    diagnostics: list[Diagnostic]
    n_records: int
    kinds: Counter[str]
    lines: array[int]
    indexes: array[int] = field(default_factory=lambda: array("I"))
    stats: dict[str, Any] = field(default_factory=dict)
    # The split's tallies by collector class (the first declared, when several differ).
    collected: dict[type[Collector], Collector] = field(default_factory=dict)

    def tally(self, kind: type[C]) -> C | None:
        """The split's merged tally of one collector class, if a selected rule declared it."""
        found = self.collected.get(kind)
        return found if isinstance(found, kind) else None


def line_lookup(indexes: array[int], lines: array[int]) -> Callable[[int], int | None]:
    """Line of a record by its stable index (indexes increase with position)."""
    from bisect import bisect_left

    def line_of(index: int) -> int | None:
        pos = bisect_left(indexes, index)
        if pos < len(indexes) and indexes[pos] == index:
            return lines[pos]
        return None

    return line_of


ProgressFn = Callable[[int], None]


def _stamp(
    p: PlannedRule, f: Finding, info: SourceInfo, split: str, line: int | None
) -> Diagnostic:
    severity = p.severity
    if f.severity_override is not None and not p.severity_configured:
        severity = f.severity_override
    return Diagnostic(
        code=p.cls.code,
        name=p.cls.name,
        severity=severity,
        message=f.message,
        file=info.file,
        line=f.line if f.line is not None else line,
        record=f.record,
        pointer=f.pointer,
        sheet=info.sheet,
        column=f.column,
        split=split,
        related=f.related,
        fix=f.fix,
        data=f.data,
        summary=p.cls.is_summary,
    )


class _JobRunner:
    """Runs jobs against one plan; lives in the main process or in a forked worker."""

    def __init__(self, plan: LintPlan, ctx: RuleContext, collects: list[Collects]) -> None:
        self.plan = plan
        self.ctx = ctx
        # The tallies the dataset rules declared, each fed once per job.
        self.collects = collects
        self._batch_kinds: set[Kind | None] = set()
        # The job's records as batches: all of them (key None), or those of a rule's target
        # kinds when the job mixes kinds.
        self._batches: dict[frozenset[Kind] | None, Batch] = {}
        # Every rule that looks at records one by one, with its prefilter (asked once).
        self.checking = [
            (p, rule, rule.prefilter())
            for p in plan.rules
            if p.cls.checks_records() and not p.cls.reported_by_reader
            for rule in [p.cls(p.options, ctx)]
        ]

    def run(self, job: Job) -> JobResult:
        out = job.run()
        plan, ctx, info = self.plan, self.ctx, self.ctx_info
        detected = [detect_kind(record.data) for record in out.records]
        fallback = plan.kind
        for record, kind in zip(out.records, detected, strict=True):
            record.kind = kind or fallback
        kinds = Counter({(k.value if k else "unknown"): n for k, n in Counter(detected).items()})
        if plan.needs_tokens:
            self._count_tokens(out.records)
        if plan.needs_rendering:
            assert plan.trainer is not None
            render = plan.trainer.renderer.render
            for record in out.records:
                if record.kind is Kind.CHAT:
                    record.rendering = render(record.data)
        diagnostics: list[Diagnostic] = []
        for code, finding in out.issues:
            p = plan.by_code.get(code)
            if p is not None:
                diagnostics.append(_stamp(p, finding, info, ctx.split, finding.line))
        records = out.records
        self._batch_kinds = {r.kind for r in records}
        self._batches = {}
        for p, rule, prefilter in self.checking:
            self._check(p, rule, prefilter, records, diagnostics)
        collected = []
        for spec in self.collects:
            collector = spec.create(ctx)
            batch = self._batch(spec.collector.targets, records)
            if batch is not None:
                collector.feed(batch)
            collected.append(collector)
        # Records are not needed past this point: keep the job output light for pickling.
        self._batches = {}
        out.records = []
        out.issues = []
        out.rejected = []
        return JobResult(out, diagnostics, collected, kinds)

    def _batch(self, targets: frozenset[Kind], records: list[Record]) -> Batch | None:
        """The job's records of the given kinds as one batch (None when there are none),
        shared by every rule and collector of the same kinds, and so are its scans."""
        if self._batch_kinds.isdisjoint(targets):
            return None
        every = self._batch_kinds <= targets
        key = None if every else targets
        batch = self._batches.get(key)
        if batch is None:
            wanted = records if every else [r for r in records if r.kind in targets]
            batch = self._batches[key] = Batch(wanted)
        return batch

    def _check(
        self,
        p: PlannedRule,
        rule: Rule,
        prefilter: Prefilter | None,
        records: list[Record],
        diagnostics: list[Diagnostic],
    ) -> None:
        """The hot loop: the records of the rule's kinds its prefilter lets through, each
        checked once; most checks find nothing and return an empty sequence."""
        batch = self._batch(p.cls.targets, records)
        if batch is None:
            return  # e.g. the chat rules on a batch of completion records
        info, split = self.ctx_info, self.ctx.split
        # A record rule's finding is about its record; a dataset rule's (IO007) is about a
        # value of the split, located by its line.
        fill_record = p.cls.scope is Scope.RECORD
        check = rule.check_record
        for record in batch.records if prefilter is None else select(batch, prefilter):
            found = check(record)
            if found:
                for f in found:
                    if fill_record and f.record is None:
                        f.record = record.index
                    diagnostics.append(_stamp(p, f, info, split, record.line))

    @property
    def ctx_info(self) -> SourceInfo:
        assert self.ctx.info is not None  # set by lint_source before any job runs
        return self.ctx.info

    def _count_tokens(self, records: list[Record]) -> None:
        counter = self.ctx.tokens
        count = counter.count
        for record in records:
            data = record.data
            kind = record.kind
            if kind is Kind.CHAT:
                roles: dict[str, int] = {}
                total, trained = counter.count_messages(data.get("messages"), roles)
                record.role_tokens = roles
                total += counter.count_tools(data.get("tools"))
            elif kind is Kind.COMPLETION:
                p, c = data.get("prompt"), data.get("completion")
                if type(p) is str and type(c) is str:  # the common case, without dispatch
                    trained = count(c)
                    total = count(p) + trained
                else:
                    trained = counter.count_value(c)
                    total = counter.count_value(p) + trained
            else:
                inp = data.get("input")
                total = (
                    counter.count_messages(inp.get("messages"))[0] if isinstance(inp, dict) else 0
                )
                trained = 0
                for key in ("preferred_output", "non_preferred_output"):
                    n = counter.count_messages(data.get(key))[0]
                    total += n
                    trained += n
            record.tokens = total
            record.trained_tokens = trained


_WORKER: _JobRunner | None = None
# Below this size forking workers costs more than it saves (pre-commit runs on small files).
PARALLEL_MIN_BYTES = 8 * 1024 * 1024
# With a costly rule selected, even a small file is worth both cores, in smaller jobs.
COSTLY_MIN_BYTES = 256 * 1024
COSTLY_CHUNK_BYTES = 256 * 1024


class JobResult(NamedTuple):
    """What linting one job hands back to the main process (picklable)."""

    out: JobOutput
    diagnostics: list[Diagnostic]
    collected: list[Collector]  # one per declared tally, in declaration order
    kinds: Counter[str]


def _worker_run(job: Job) -> JobResult:
    assert _WORKER is not None
    return _WORKER.run(job)


def default_workers() -> int:
    env = os.environ.get("FTPREP_WORKERS")
    if env:
        return max(1, int(env))
    return max(1, min(os.cpu_count() or 1, 8))


def lint_source(
    source: Source,
    plan: LintPlan,
    split: str = "train",
    *,
    workers: int = 1,
    progress: ProgressFn | None = None,
    splits: tuple[str, ...] = ("train",),
) -> SplitResult:
    """Lint one input.

    The finished dataset-rule instances stay in ``result.stats["rules"]`` (by code), where
    the token summary and splits-scope rules (train against validation) read them.
    """
    ctx = RuleContext(
        file=source.info.file,
        split=split,
        profile=plan.profile,
        model=plan.model,
        kind=plan.kind,
        splits=splits,
        classification=plan.classification,
        shared_text=plan.shared_text,
        word_shingles=plan.word_shingles,
        trainer=plan.trainer,
    )
    ctx.info = source.info
    ctx.fetch = lambda wanted, keep=None: fetch_records(source, wanted, plan.kind, keep)
    main_rules = [
        (p, p.cls(p.options, ctx))
        for p in plan.rules
        if p.cls.scope is not Scope.RECORD and not p.cls.reported_by_reader
    ]
    # One tally per distinct declaration, whichever rules declared it.
    declared = [rule.collects() for _, rule in main_rules]
    collects = list(dict.fromkeys(spec for spec in declared if spec is not None))
    collectors = [spec.create(ctx) for spec in collects]
    diagnostics: list[Diagnostic] = []
    for p, rule in main_rules:
        diagnostics.extend(_stamp(p, f, source.info, split, None) for f in rule.start())

    lines = array("I")
    indexes = array("I")
    rows: dict[int, int] = {}
    kinds: Counter[str] = Counter()
    runner = _JobRunner(plan, ctx, collects)

    def absorb(result: JobResult) -> None:
        out, diags, collected, job_kinds = result
        lines.extend(out.lines)
        if out.indexes is not None:
            indexes.extend(out.indexes)
        else:
            indexes.extend(range(out.first_index, out.first_index + len(out.lines)))
        diagnostics.extend(diags)
        if out.rows:
            rows.update(out.rows)
        kinds.update(job_kinds)
        for collector, tally in zip(collectors, collected, strict=True):
            collector.merge(tally)
        if progress is not None:
            progress(out.bytes_read)

    # Rendering with a chat template costs a millisecond a record, as language detection.
    costly = (
        plan.needs_rendering
        or any(spec.collector.costly for spec in collects)
        or any(p.cls.costly and p.cls.checks_records() for p, _ in main_rules)
    )
    if costly and source.chunk_bytes is not None:
        source.chunk_bytes = min(source.chunk_bytes, COSTLY_CHUNK_BYTES)
    distributed = source.run_jobs(runner)
    if distributed is not None:
        # The source runs its jobs elsewhere (a Dask cluster): the same runner, shipped to
        # each partition; results come back in input order and merge as they do here.
        for result in distributed:
            absorb(result)
    elif workers > 1 and source.size > (COSTLY_MIN_BYTES if costly else PARALLEL_MIN_BYTES):
        if plan.needs_tokens:
            # Loaded before the worker forks, the vocabulary is shared (copy-on-write, never
            # written) instead of built again in every process: the same wall time (the
            # other core would have spent it building its own), ~30 MB less peak memory.
            runner.ctx.tokens  # noqa: B018
        _run_parallel(source.jobs(), runner, workers, absorb)
    else:
        for job in source.jobs():
            absorb(runner.run(job))

    for code, finding in source.file_issues():
        issue_rule = plan.by_code.get(code)
        if issue_rule is not None:
            diagnostics.append(_stamp(issue_rule, finding, source.info, split, finding.line))

    # Examples are the records that parsed; a line that is not JSON is not an example.
    ctx.n_records = sum(kinds.values())
    line_of = line_lookup(indexes, lines)
    ctx.line_of = line_of
    by_spec = dict(zip(collects, collectors, strict=True))
    for collector in collectors:
        collector.ctx = ctx
        collector.done()
    for (_, rule), spec in zip(main_rules, declared, strict=True):
        if spec is not None:
            rule.collected = by_spec[spec]
    for p, rule in main_rules:
        for f in rule.finish():
            line = f.line
            if line is None and f.record is not None:
                line = line_of(f.record)
            diagnostics.append(_stamp(p, f, source.info, split, line))
    if rows:
        for d in diagnostics:
            if d.record is not None and d.record in rows:
                d.row = rows[d.record]
    diagnostics.sort(key=Diagnostic.sort_key)
    result = SplitResult(
        split=split,
        info=source.info,
        diagnostics=diagnostics,
        n_records=len(lines),
        kinds=kinds,
        lines=lines,
        indexes=indexes,
    )
    result.stats["rules"] = {p.cls.code: rule for p, rule in main_rules}
    result.collected = {type(c): c for c in reversed(collectors)}
    return result


def sample_records(source: Source, kind: Kind, limit: int = 1000) -> list[Record]:
    """The first records of a source (its first job), with their kinds."""
    for job in source.jobs():
        records = job.run().records[:limit]
        for record in records:
            record.kind = detect_kind(record.data) or kind
        if records:
            return records
    return []


def fetch_records(
    source: Source,
    wanted: Iterable[int],
    kind: Kind,
    keep: Callable[[Record], Any] | None = None,
) -> dict[int, Any]:
    """Read the input again and keep the records with the given indexes (or what ``keep``
    makes of each, so that many records need not be held at once).

    Dataset rules keep compact state, not records; when a conclusion needs the text of a
    few records (confirming a near-duplicate), a second pass is cheaper than holding them.
    """
    wanted = set(wanted)
    found: dict[int, Any] = {}
    if not wanted:
        return found
    last = max(wanted)
    for job in source.jobs():
        out = job.run()
        for record in out.records:
            if record.index in wanted:
                record.kind = detect_kind(record.data) or kind
                found[record.index] = keep(record) if keep is not None else record
        if out.first_index > last or len(found) == len(wanted):
            break
    return found


def compare_splits(plan: LintPlan, results: list[SplitResult]) -> None:
    """Run the splits-scope rules over the finished splits and file their findings."""
    by_split = {r.split: r for r in results}
    for p in plan.rules:
        if p.cls.scope is not Scope.SPLITS:
            continue
        instances = {
            r.split: r.stats["rules"][p.cls.code]
            for r in results
            if p.cls.code in r.stats.get("rules", {})
        }
        if len(instances) < 2:
            continue
        for split, finding in p.cls.compare(instances):
            result = by_split[split]
            line = finding.line
            if line is None and finding.record is not None:
                of = instances[split].ctx.line_of
                line = of(finding.record) if of is not None else None
            result.diagnostics.append(_stamp(p, finding, result.info, split, line))
    for result in results:
        result.diagnostics.sort(key=Diagnostic.sort_key)


# How many results per core the main process may hold, finished but not yet absorbed, while
# a worker's earlier job is still running.
_MAX_AHEAD = 4


def _run_parallel(
    jobs: Iterable[Job],
    runner: _JobRunner,
    workers: int,
    absorb: Callable[[Any], None],
) -> None:
    """Run jobs on ``workers`` cores: ``workers - 1`` forked processes plus this one.

    Results are absorbed in job order. The workers always have two jobs each queued; the
    main process runs the next job itself whenever they do, rather than idling, so a
    two-core machine runs two processes, not three, and neither waits for the other. The
    main process only waits for a worker's result when it has run ahead by
    :data:`_MAX_AHEAD` results (which bounds the memory they hold) or has no job left.
    """
    import gc
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER
    _WORKER = runner
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork run inline
        for job in jobs:
            absorb(runner.run(job))
        return
    # Objects created so far are never collected in the children: freezing them keeps the
    # garbage collector from touching (and so copying) the pages the workers share.
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=workers - 1, mp_context=context, initializer=_die_with_parent
        ) as pool:
            pending: deque[Any] = deque()

            def ready(head: Any) -> bool:
                return not _is_future(head) or head.done()

            for job in jobs:
                busy = sum(1 for p in pending if _is_future(p) and not p.done())
                if busy < 2 * (workers - 1):
                    pending.append(pool.submit(_worker_run, job))  # keep the workers fed
                else:
                    pending.append(runner.run(job))  # otherwise do it here
                while pending and (len(pending) > _MAX_AHEAD * workers or ready(pending[0])):
                    head = pending.popleft()
                    absorb(head.result() if _is_future(head) else head)
            while pending:
                head = pending.popleft()
                absorb(head.result() if _is_future(head) else head)
    finally:
        _WORKER = None
        gc.unfreeze()


def _die_with_parent() -> None:
    """A worker ends when the process that forked it does, even when that one was killed
    (SIGKILL runs no cleanup): an orphan would wait on its pipe forever, holding memory.

    Linux asks the kernel (``PR_SET_PDEATHSIG``); elsewhere a thread watches the parent.
    """
    import signal

    parent = os.getppid()
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # the parent died before the request took effect
                os._exit(1)
            return
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    import threading
    import time

    def watch() -> None:  # pragma: no cover - platforms without prctl
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _is_future(value: Any) -> bool:
    return hasattr(value, "result")
