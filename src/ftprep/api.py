"""The Python API: the same core the CLI uses, returning objects instead of printing.

>>> import ftprep
>>> report = ftprep.lint("train.jsonl")
>>> report.ok, report.summary.errors
>>> ftprep.convert("faq.xlsx", "train.jsonl", mapping={"prompt": "Question", "completion": "Answer"})
>>> ftprep.fix("train.jsonl", "train.fixed.jsonl")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from ftprep import __version__
from ftprep.core.diagnostic import Diagnostic, Severity
from ftprep.core.errors import UsageError
from ftprep.pipeline import (
    ConvertResult,
    FixResult,
    LintRun,
    RunOptions,
    convert_file,
    fail_threshold,
    fix_file,
    fix_valid_file,
    lint_files,
)
from ftprep.session import open_session, split_inputs
from ftprep.splitting import SplitOutcome
from ftprep.writers.jsonl import default_fixlog_path, default_rejected_path

if TYPE_CHECKING:
    from ftprep.core.fixplan import FixPlan


class FileReport(BaseModel):
    """Facts about one linted file."""

    file: str
    split: str
    layout: str
    records: int
    kinds: dict[str, int]
    profile: str
    model: str
    skipped_empty_rows: int = 0
    tokens: dict[str, Any] | None = None


class Summary(BaseModel):
    problems: int
    errors: int
    warnings: int
    info: int
    fixable: int
    unsafe_fixable: int
    by_code: dict[str, int]


class LintReport(BaseModel):
    """The result of :func:`lint`; ``as_json()`` gives the documented JSON report."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    version: int = 1
    files: list[FileReport]
    summary: Summary
    diagnostics: list[Diagnostic]
    fail_on: Severity = Severity.ERROR

    @property
    def ok(self) -> bool:
        """True when nothing at or above the failing severity was found."""
        return not any(
            d.severity.rank >= self.fail_on.rank for d in self.diagnostics if not d.summary
        )

    def as_json(self) -> dict[str, Any]:
        from ftprep.report.json_format import as_dict

        return as_dict(report_data(self))


def report_data(
    report: LintReport,
    statistics: bool = False,
    show_all: bool = False,
    fixed: dict[str, Any] | None = None,
    describe_rules: bool = False,
) -> Any:
    """What the renderers need; ``describe_rules`` adds each rule's documentation (SARIF)."""
    from ftprep.report import ReportData

    return ReportData(
        diagnostics=report.diagnostics,
        files=[f.model_dump() for f in report.files],
        statistics=statistics,
        show_all=show_all,
        fixed=fixed,
        tool_version=__version__,
        rules=rule_metadata({d.code for d in report.diagnostics}) if describe_rules else {},
    )


def rule_metadata(codes: set[str]) -> dict[str, dict[str, str]]:
    """Name, one-line summary, documentation, default severity and group of each rule."""
    from ftprep.rules import REGISTRY

    out = {}
    for code in sorted(codes):
        cls = REGISTRY.get(code)
        if cls is None:
            continue
        doc = cls.doc()
        out[code] = {
            "name": cls.name,
            "summary": _summary_line(doc),
            "doc": doc,
            "severity": cls.default_severity.value,
            "group": cls.group,
        }
    return out


def _summary_line(doc: str) -> str:
    """The first sentence under "What it does"."""
    lines = [ln.strip() for ln in doc.splitlines()]
    try:
        start = lines.index("## What it does") + 1
    except ValueError:
        start = 0
    words: list[str] = []
    for line in lines[start:]:
        if not line and words:
            break
        if line and not line.startswith("#"):
            words.append(line)
    text = " ".join(words)
    return text.split(". ")[0].rstrip(".") + "." if text else ""


def report_from_run(run: LintRun, options: RunOptions) -> LintReport:
    from ftprep.report import ReportData

    files = []
    for r in run.results:
        files.append(
            FileReport(
                file=r.info.file,
                split=r.split,
                layout=str(r.stats.get("layout") or r.info.layout),
                records=r.n_records,
                kinds=dict(sorted(r.kinds.items())),
                profile=run.profile.name,
                model=run.model.name,
                skipped_empty_rows=int(r.stats.get("skipped_empty_rows", 0)),
                tokens=r.stats.get("token_summary"),
            )
        )
    diagnostics = run.diagnostics
    summary = ReportData(diagnostics=diagnostics).summary()
    return LintReport.model_construct(
        version=1,
        files=files,
        summary=Summary(**summary),
        diagnostics=diagnostics,
        fail_on=fail_threshold(options, run.profile),
    )


def merge_reports(reports: list[LintReport]) -> LintReport:
    """One report for several linted files (pre-commit passes many)."""
    if len(reports) == 1:
        return reports[0]
    from ftprep.report import ReportData

    diagnostics = [d for r in reports for d in r.diagnostics]
    return LintReport.model_construct(
        version=1,
        files=[f for r in reports for f in r.files],
        summary=Summary(**ReportData(diagnostics=diagnostics).summary()),
        diagnostics=diagnostics,
        fail_on=reports[0].fail_on,
    )


def lint(
    path: str,
    *,
    valid: str | None = None,
    against: str | None = None,
    isolated: bool = False,
    **kwargs: Any,
) -> LintReport:
    """Lint a file (any format ``convert`` reads) and, optionally, its validation file.

    ``against`` names an evaluation set the training records must not leak into (DP003).
    The project config nearest the file applies as it does to ``ftprep lint`` (its
    selection, severities, per-file settings, baseline and splits), unless ``isolated``.
    """
    session = open_session(path, isolated=isolated, **kwargs)
    linted = session.lint(path, inputs=[path], valid=valid, against=against)
    assert linted is not None  # a lone input is always linted
    run, options = linted
    return report_from_run(run, options)


def lint_frame(
    frame: Any,
    *,
    valid: Any = None,
    name: str = "<dataframe>",
    valid_name: str = "<valid dataframe>",
    **kwargs: Any,
) -> LintReport:
    """Lint a pandas DataFrame as a table (``mapping={"prompt": "question", ...}`` picks its
    columns, as for a CSV); ``valid`` is an optional validation DataFrame. Rows are numbered
    from 1 in the diagnostics."""
    from ftprep.readers.frame import FrameSource

    return lint_sources(
        FrameSource(frame, name),
        FrameSource(valid, valid_name) if valid is not None else None,
        **kwargs,
    )


def lint_records(
    records: Any, *, valid: Any = None, name: str = "<records>", **kwargs: Any
) -> LintReport:
    """Lint an iterable of records (dicts in chat, completion or preference shape, or rows to
    convert with ``mapping``). The iterable is read once, into a temporary file."""
    from ftprep.readers.frame import spool_records

    return lint_sources(
        spool_records(records, name),
        spool_records(valid, "<valid records>") if valid is not None else None,
        **kwargs,
    )


def lint_sources(
    train: Any, valid: Any = None, *, isolated: bool = False, **kwargs: Any
) -> LintReport:
    """Lint record sources that are already open (a DataFrame's, a Dask DataFrame's...),
    under the project config of the working directory unless ``isolated``."""
    options = open_session(".", isolated=isolated, **kwargs).options
    return report_from_run(lint_files(split_inputs(train, valid), options), options)


class FrameConversion(BaseModel):
    """What :func:`convert_frame` made: the records, and the rows that could not be records."""

    layout: str
    records: list[dict[str, Any]]
    rejected: list[dict[str, Any]]

    @property
    def read(self) -> int:
        return len(self.records) + len(self.rejected)

    def to_frame(self) -> Any:
        """The records as a DataFrame, one column per top-level key."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records)


def convert_frame(frame: Any, *, name: str = "<dataframe>", **kwargs: Any) -> FrameConversion:
    """Convert a DataFrame's rows to fine-tuning records, as ``convert`` does a CSV."""
    from ftprep.pipeline import _describe_layout, collect_records, open_input
    from ftprep.readers.frame import FrameSource

    options = open_session(".", use_baseline=False, **kwargs).options
    opened = open_input(FrameSource(frame, name), options)
    records, rejected = collect_records(opened.source, name)
    return FrameConversion(layout=_describe_layout(opened), records=records, rejected=rejected)


def convert(
    path: str, output: str, *, rejected: str | None = None, isolated: bool = False, **kwargs: Any
) -> ConvertResult:
    """Convert a table or JSON file to JSONL; returns counts (read = written + rejected)."""
    options = open_session(path, isolated=isolated, use_baseline=False, **kwargs).for_path(path)
    return convert_file(path, output, options, rejected or default_rejected_path(output))


def fix(
    path: str,
    output: str,
    *,
    unsafe: bool = False,
    rejected: str | None = None,
    fix_log: str | None = None,
    valid: str | None = None,
    valid_output: str | None = None,
    plan: str | FixPlan | None = None,
    isolated: bool = False,
    **kwargs: Any,
) -> FixResult:
    """Apply safe fixes (and unsafe ones with ``unsafe=True``) and write ``output``.

    With ``plan`` (a fix plan saved by ``ftprep review``, or its path), exactly the plan's
    decisions apply instead, as ``ftprep lint --fix --plan`` does.

    With ``valid`` and ``valid_output``, the validation file's fixes are applied too (with
    ``unsafe=True`` that drops validation records leaking from train, DP003);
    ``result.valid`` then holds their counts.
    """
    options = open_session(path, isolated=isolated, **kwargs).for_path(path)
    if isinstance(plan, str):
        from ftprep.core.fixplan import FixPlan

        plan = FixPlan.load(plan)
    result = fix_file(
        path,
        output,
        options,
        unsafe=unsafe,
        rejected_path=rejected or default_rejected_path(output),
        fixlog_path=fix_log or default_fixlog_path(output),
        plan=plan,
    )
    if valid is not None:
        if valid_output is None:
            raise UsageError("fixing a validation file needs valid_output")
        result.valid = fix_valid_file(
            path,
            valid,
            valid_output,
            options,
            unsafe=unsafe,
            rejected_path=default_rejected_path(valid_output),
            fixlog_path=default_fixlog_path(valid_output),
            plan=plan,
        )
    return result


def split(
    path: str,
    *,
    valid_fraction: float = 0.1,
    seed: int = 0,
    output: str | None = None,
    valid_output: str | None = None,
    stratify: bool | None = None,
    similarity: float | None = None,
    isolated: bool = False,
    **kwargs: Any,
) -> SplitOutcome:
    """Split a file into train and validation; returns both parts (``.train``, ``.valid``).

    Near-duplicates stay on one side, classification data is stratified by class, and the
    same seed gives the same split. With ``output``/``valid_output`` the parts are written
    too (unreadable records then go to ``output``'s rejected file).
    """
    from ftprep.splitting import split_file

    options = open_session(path, isolated=isolated, use_baseline=False, **kwargs).for_path(path)
    return split_file(
        path,
        options,
        valid_fraction=valid_fraction,
        seed=seed,
        train_output=output,
        valid_output=valid_output,
        rejected_path=default_rejected_path(output) if output else None,
        stratify=stratify,
        keep=True,
        similarity=similarity,
    )


__all__ = [
    "ConvertResult",
    "FixResult",
    "FrameConversion",
    "LintReport",
    "SplitOutcome",
    "convert",
    "convert_frame",
    "fix",
    "lint",
    "lint_frame",
    "lint_records",
    "split",
]


class RenderedRecord(BaseModel):
    """One record as the trainer will see it (``ftprep render``)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    file: str
    line: int
    tokenizer: str
    trainer: str
    loss: str
    max_length: int
    truncation: str
    rendering: Any


def render(
    path: str,
    line: int | None = None,
    *,
    tokenizer: str,
    record: int | None = None,
    isolated: bool = False,
    **kwargs: Any,
) -> RenderedRecord:
    """Render the chat record that starts on ``line`` (its row, for a table), or the
    ``record``-th one (from 1), with the tokenizer's chat template, masked and truncated as
    the trainer (``trainer=``, ``loss=``, ``max_length=``) will: the text, each token and
    whether it is trained."""
    if (line is None) == (record is None):
        raise UsageError("render: give a line or a record number, not both")
    from ftprep.core.model import Kind
    from ftprep.pipeline import iter_slots, make_plan, open_input

    session = open_session(path, isolated=isolated, tokenizer=tokenizer, **kwargs)
    options = session.for_path(path)
    opened = open_input(path, options)
    if opened.kind is not Kind.CHAT:
        raise UsageError(f"{path}: render shows chat records; this file holds {opened.kind.value}")
    setup = make_plan(opened.kind, options).trainer
    assert setup is not None  # a tokenizer was given and the data is chat
    starts: list[int] = []
    position = 0
    for position, slot in enumerate(iter_slots(opened.source), 1):
        if (slot.line if line is not None else position) != (line or record):
            if len(starts) < 5 and line is not None and slot.line > line:
                starts.append(slot.line)
            continue
        if slot.record is None:
            reasons = "; ".join(message for _, message in slot.reasons) or "it cannot be read"
            raise UsageError(f"{path}:{line}: no record to render: {reasons}")
        facts = setup.trainer
        return RenderedRecord(
            file=path,
            line=slot.line,
            tokenizer=setup.tokenizer,
            trainer=facts.title,
            loss=facts.loss,
            max_length=facts.max_length,
            truncation=facts.truncation,
            rendering=setup.renderer.render(slot.record.data, keep_text=True),
        )
    if record is not None:
        raise UsageError(f"{path}: there is no record {record} (it holds {position})")
    after = f"; the next records start on lines {', '.join(map(str, starts))}" if starts else ""
    raise UsageError(f"{path}: no record starts on line {line}{after} (or give --record N)")
