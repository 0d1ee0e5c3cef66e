"""The command line: parses arguments, calls the pipeline, picks a renderer, sets the exit code.

Exit codes: 0 nothing at or above the failing severity; 1 problems remain (or an input
could not be read); 2 usage, configuration or internal error. Never prompts.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from ftprep import __version__
from ftprep.core.reasons import Reason
from ftprep.exitcodes import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, signal_exit
from ftprep.readers.open import FORMAT_NAMES
from ftprep.report import FORMATS as REPORT_FORMATS
from ftprep.trainers.profiles import trainer_names


def _number(
    kind: type,
    low: float | None = None,
    high: float | None = None,
    *,
    open_low: bool = False,
    open_high: bool = False,
) -> Any:
    """An argparse type: a number in a range, or a message that names the range."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {'an integer' if kind is int else 'a number'}"
            ) from None
        below = low is not None and (value <= low if open_low else value < low)
        above = high is not None and (value >= high if open_high else value > high)
        if below or above:
            lo = "" if low is None else f"{'above' if open_low else 'at least'} {low:g}"
            hi = "" if high is None else f"{'below' if open_high else 'at most'} {high:g}"
            raise argparse.ArgumentTypeError(
                f"{text} is out of range: must be {' and '.join(x for x in (lo, hi) if x)}"
            )
        return value

    return parse


POSITIVE_INT = _number(int, 1)
FRACTION = _number(float, 0, 1, open_low=True, open_high=True)
TRAINERS = tuple(trainer_names())


def _add_read_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("reading")
    g.add_argument("--sheet", help="XLSX sheet, or the key of the array to read in a JSON object")
    g.add_argument("--encoding", help="transcode from this encoding (cp1252, gbk, shift_jis...)")
    g.add_argument("--delimiter", help="CSV delimiter (default: sniffed among , ; TAB |)")
    g.add_argument(
        "--no-header", action="store_true", help="the table has no header row (columns A, B, C...)"
    )
    quoting = g.add_mutually_exclusive_group()
    quoting.add_argument(
        "--no-quoting",
        dest="quoting",
        action="store_false",
        default=None,
        help="treat quotes in CSV/TSV as ordinary text",
    )
    quoting.add_argument(
        "--quoting",
        dest="quoting",
        action="store_true",
        help="read CSV quoting in a TSV written one row per line too",
    )
    g.add_argument(
        "--format",
        dest="input_format",
        choices=FORMAT_NAMES,
        help="read the input as this format whatever its extension",
    )
    m = p.add_argument_group("mapping")
    m.add_argument(
        "--map",
        action="append",
        metavar="ROLE=COLUMN",
        default=[],
        help="column for a role: prompt, completion, system, user, assistant, label, chosen, rejected",
    )
    m.add_argument(
        "--template",
        action="append",
        default=[],
        metavar="[ROLE=]TEXT",
        help='build the prompt (or ROLE) from columns: "Classify: {text}"',
    )
    m.add_argument("--system", help="add this system message to every chat example")
    m.add_argument("--to", choices=("chat", "completion", "preference"), help="output kind")


def _add_lint_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("rules")
    g.add_argument(
        "--profile",
        help="rule profile (openai-chat, openai-completion, preference, base) or a .toml path",
    )
    g.add_argument(
        "--model",
        help="target model for token limits and cost (`ftprep rule TK004`; describe others "
        'in ftprep.toml as [models."NAME"])',
    )
    g.add_argument(
        "--select", action="append", help="only these rules (codes, prefixes, groups or names)"
    )
    g.add_argument(
        "--extend-select", action="append", default=[], help="add rules to the profile's selection"
    )
    g.add_argument("--ignore", action="append", default=[], help="skip these rules")
    g.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        help="lowest severity that fails (default: error)",
    )
    g.add_argument(
        "--workers", type=POSITIVE_INT, help="processes for large files (default: all cores)"
    )
    g.add_argument(
        "--baseline",
        metavar="FILE",
        help="ignore the findings listed in this file (default: ./ftprep-baseline.json if present)",
    )
    g.add_argument("--no-baseline", action="store_true", help="report baselined findings too")
    g.add_argument(
        "--add-baseline",
        action="store_true",
        help="write every current finding to the baseline (then lint reports only new ones)",
    )
    g.add_argument(
        "--isolated", action="store_true", help="ignore ftprep.toml and [tool.ftprep] settings"
    )
    _add_trainer_options(p)


def _add_trainer_options(p: argparse.ArgumentParser, required: bool = False) -> None:
    t = p.add_argument_group(
        "trainer", "what the trainer will train on, with the model's own tokenizer (TR rules)"
    )
    t.add_argument(
        "--tokenizer",
        required=required,
        metavar="DIR",
        help="a local Hugging Face model or tokenizer folder (tokenizer.json and a chat "
        "template); never downloaded. Needs pip install 'ftprep[hf]'",
    )
    t.add_argument(
        "--trainer",
        choices=TRAINERS,
        help="whose defaults apply: which tokens are trained, truncation (default: trl)",
    )
    t.add_argument("--max-length", type=POSITIVE_INT, help="the trainer's maximum length in tokens")
    t.add_argument(
        "--loss",
        choices=("all", "generation", "assistant-spans"),
        help="which tokens are trained: all; generation (the template's {% generation %} "
        "markers, TRL assistant_only_loss); assistant-spans (the assistant replies)",
    )


def _split_commas(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ftprep",
        description="Convert, lint and fix datasets for fine-tuning language models.",
    )
    parser.add_argument("--version", action="version", version=f"ftprep {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser(
        "convert",
        help="convert CSV, TSV, XLSX, JSON, JSONL or Parquet to fine-tuning JSONL",
        description="Convert a table or JSON file to chat, completion or preference JSONL.",
    )
    c.add_argument("input", help="input file (- for standard input)")
    c.add_argument("-o", "--output", help="output JSONL (default: INPUT with .jsonl; - for stdout)")
    c.add_argument(
        "--rejected", help="where rows that cannot be converted go (default: OUTPUT.rejected.jsonl)"
    )
    _add_read_options(c)

    lint = sub.add_parser(
        "lint",
        help="check files against the rule catalogue",
        description="Lint fine-tuning data; --fix applies safe fixes.",
    )
    lint.add_argument("inputs", nargs="+", help="files to lint (- for standard input)")
    lint.add_argument("--valid", help="validation file linted alongside the training file")
    lint.add_argument(
        "--against", help="evaluation set that training records must not leak into (DP003)"
    )
    lint.add_argument("--epochs", type=POSITIVE_INT, help="epochs for the cost estimate (TK004)")
    lint.add_argument(
        "--output-format",
        choices=REPORT_FORMATS,
        help="report format (default: text; github under GitHub Actions)",
    )
    lint.add_argument("--statistics", action="store_true", help="only count the problems per rule")
    lint.add_argument(
        "--show-all",
        action="store_true",
        help="list every finding (the text report folds a rule's flood in a file after 5)",
    )
    lint.add_argument("--exit-zero", action="store_true", help="exit 0 even when problems remain")
    f = lint.add_argument_group("fixing")
    f.add_argument("--fix", action="store_true", help="apply safe fixes")
    f.add_argument("--unsafe-fixes", action="store_true", help="with --fix, apply unsafe fixes too")
    f.add_argument(
        "--plan",
        metavar="FIXPLAN",
        help="with --fix: apply exactly the decisions of a fix plan saved by `ftprep review`",
    )
    f.add_argument("-o", "--output", help="with --fix: write the fixed data here (- for stdout)")
    f.add_argument(
        "--in-place", action="store_true", help="with --fix: replace the input (JSONL only)"
    )
    f.add_argument(
        "--valid-output", help="with --fix and --valid: write the fixed validation file here"
    )
    f.add_argument("--rejected", help="dropped records go here (default: OUTPUT.rejected.jsonl)")
    f.add_argument("--fix-log", help="log of applied edits (default: OUTPUT.fixlog.jsonl)")
    f.add_argument("--no-fix-log", action="store_true", help="do not write the log of edits")
    f.add_argument(
        "--exit-non-zero-on-fix", action="store_true", help="exit 1 when fixes changed the data"
    )
    lint.add_argument("--no-progress", action="store_true", help="no progress bar")
    lint.add_argument(
        "--no-color", action="store_true", help="plain text: no colour, no histogram drawing"
    )
    _add_lint_options(lint)
    _add_read_options(lint)

    rd = sub.add_parser(
        "render",
        help="show a record as the trainer will train on it (chat template, trained tokens)",
        description="Render one chat record with the model's chat template and tokenizer, "
        "mask it as the trainer does and mark the trained tokens (between [[ and ]] when "
        "not on a terminal) and where truncation cuts. Needs pip install 'ftprep[hf]'.",
    )
    rd.add_argument("input", help="the data file")
    which = rd.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--line", type=POSITIVE_INT, help="the line the record starts on (its row in a table)"
    )
    which.add_argument("--record", type=POSITIVE_INT, help="the record's number, from 1")
    rd.add_argument(
        "--no-color", action="store_true", help="plain text: trained tokens between [[ and ]]"
    )
    rd.add_argument(
        "--isolated", action="store_true", help="ignore ftprep.toml and [tool.ftprep] settings"
    )
    _add_trainer_options(rd, required=True)

    rp = sub.add_parser(
        "report",
        help="write a self-contained HTML report with plots of the dataset",
        description="Lint the data and write one HTML file: a readiness checklist, token-length "
        "histograms against the model's limit, duplicates and leaks with their texts, findings "
        "per rule and the cost estimate. Needs pip install 'ftprep[report]'.",
    )
    rp.add_argument("inputs", nargs="+", help="files to report on (- for standard input)")
    rp.add_argument("--valid", help="validation file, reported beside the training file")
    rp.add_argument("--against", help="evaluation set to check the training data against (DP003)")
    rp.add_argument("--epochs", type=POSITIVE_INT, help="epochs for the cost estimate (TK004)")
    rp.add_argument(
        "-o",
        "--output",
        dest="report_output",
        default="ftprep-report.html",
        help="the HTML file to write (default: ftprep-report.html; - for stdout)",
    )
    rp.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_lint_options(rp)
    _add_read_options(rp)

    sp = sub.add_parser(
        "split",
        help="split a file into leak-free, stratified train and validation files",
        description=(
            "Seeded train/validation split. Near-duplicates stay on one side; "
            "classification data is stratified by class."
        ),
    )
    sp.add_argument("input", help="file to split (any format convert reads)")
    sp.add_argument("-o", "--output", required=True, help="training JSONL to write")
    sp.add_argument("-O", "--valid-output", required=True, help="validation JSONL to write")
    sp.add_argument(
        "--valid-fraction", type=FRACTION, default=0.1, help="share of records for validation (0.1)"
    )
    sp.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    strat = sp.add_mutually_exclusive_group()
    strat.add_argument(
        "--stratify",
        dest="stratify",
        action="store_true",
        default=None,
        help="stratify by class (default: when the data is classification-like)",
    )
    strat.add_argument("--no-stratify", dest="stratify", action="store_false")
    sp.add_argument(
        "--similarity",
        type=_number(float, 0, 1, open_low=True),
        help="Jaccard similarity from which records count as near-duplicates "
        "(default: the leak check's, DP003 threshold, 0.8)",
    )
    sp.add_argument("--rejected", help="unreadable records (default: OUTPUT.rejected.jsonl)")
    sp.add_argument(
        "--workers", type=POSITIVE_INT, help="processes for large files (default: all cores)"
    )
    _add_read_options(sp)

    rv = sub.add_parser(
        "review",
        help="review findings in a terminal UI and accept or reject fixes one by one",
        description=(
            "Open the findings of a file in an interactive review. Saving writes the fixed "
            "data, the rejected records and a fix plan that `lint --fix --plan` replays."
        ),
    )
    rv.add_argument("input", help="file to review (any format convert reads)")
    rv.add_argument("--valid", help="validation file reviewed alongside (leaks, its own fixes)")
    rv.add_argument("-o", "--output", help="fixed data (default: INPUT stem + .reviewed.jsonl)")
    rv.add_argument(
        "--plan", metavar="FIXPLAN", help="fix plan to write (default: INPUT stem + .fixplan.json)"
    )
    _add_lint_options(rv)
    _add_read_options(rv)

    def service_options(p: argparse.ArgumentParser) -> None:
        g = p.add_argument_group("service (OPENAI_API_KEY; Azure: AZURE_OPENAI_API_KEY)")
        g.add_argument("--base-url", help="an OpenAI-compatible API (default: OpenAI)")
        g.add_argument("--azure-endpoint", help="Azure OpenAI endpoint (or AZURE_OPENAI_ENDPOINT)")
        g.add_argument("--api-version", help="Azure OpenAI API version (or OPENAI_API_VERSION)")
        g.add_argument("--azure-deployment", help="Azure OpenAI deployment")
        g.add_argument(
            "--poll-interval",
            type=_number(float, 0, open_low=True),
            default=5.0,
            help="seconds between status checks (5)",
        )

    up = sub.add_parser(
        "upload",
        help="upload a file for fine-tuning and print its file id",
        description="Lint, then upload a file with purpose fine-tune; prints the file id.",
    )
    up.add_argument("input", help="training data (converted first if not JSONL)")
    up.add_argument("--force", action="store_true", help="upload even if errors remain")
    up.add_argument("--yes", action="store_true", help="reuse a same-named upload without asking")
    up.add_argument("--no-reuse", action="store_true", help="always upload a new copy")
    service_options(up)
    _add_lint_options(up)
    _add_read_options(up)

    tr = sub.add_parser(
        "train",
        help="lint, estimate the cost, upload and start a fine-tuning job",
        description=(
            "Lint with the target model, refuse while errors remain, show the cost estimate, "
            "ask, then upload the files, create the job and follow it."
        ),
    )
    tr.add_argument("input", help="training data (any format convert reads)")
    tr.add_argument("--valid", help="validation data")
    tr.add_argument(
        "--epochs", type=POSITIVE_INT, help="training epochs (default: the service's choice)"
    )
    tr.add_argument("--batch-size", type=POSITIVE_INT)
    tr.add_argument("--learning-rate-multiplier", type=_number(float, 0, open_low=True))
    tr.add_argument("--suffix", help="added to the fine-tuned model's name")
    tr.add_argument("--seed", type=int)
    tr.add_argument(
        "--method", choices=("supervised", "dpo"), help="default: dpo for preference data"
    )
    tr.add_argument("--dry-run", action="store_true", help="lint and estimate; send nothing")
    tr.add_argument("--force", action="store_true", help="train even if lint errors remain")
    tr.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    tr.add_argument("--no-reuse", action="store_true", help="always upload new copies")
    tr.add_argument("--no-follow", action="store_true", help="return once the job is created")
    service_options(tr)
    _add_lint_options(tr)
    _add_read_options(tr)

    jobs = sub.add_parser(
        "jobs", help="list, follow, cancel fine-tuning jobs, or see their results"
    )
    jobs_sub = jobs.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    jl = jobs_sub.add_parser("list", help="recent jobs")
    jl.add_argument("--limit", type=POSITIVE_INT, default=20)
    service_options(jl)
    jf = jobs_sub.add_parser("follow", help="print a job's events until it ends")
    jf.add_argument("job_id")
    service_options(jf)
    jc = jobs_sub.add_parser("cancel", help="cancel a job")
    jc.add_argument("job_id")
    service_options(jc)
    jr = jobs_sub.add_parser(
        "results",
        help="a finished job's loss curves, metrics and checkpoints",
        description="Fetch the job's result file: loss and accuracy curves in the terminal, "
        "the checkpoints, and warnings for over-fitting and a flat loss; -o writes the "
        "curves as HTML and PNG (needs pip install 'ftprep[report]').",
    )
    jr.add_argument("job_id")
    jr.add_argument(
        "-o",
        "--output",
        help="a directory (JOB-results.html, JOB-loss.png, JOB-results.csv), or a .html "
        "or .png file",
    )
    service_options(jr)

    r = sub.add_parser(
        "rule", help="show a rule's documentation", description="Show rule documentation."
    )
    r.add_argument(
        "rule", nargs="?", help="code or name, e.g. SP002 or inconsistent-prompt-separator"
    )
    r.add_argument("--all", action="store_true", help="list every rule")
    r.add_argument("--markdown", action="store_true", help="the catalogue as a Markdown table")
    return parser


def _session(args: argparse.Namespace) -> Any:
    """The run's session (:mod:`ftprep.session`): the flags over the project config nearest
    the first input, resolved as the Python API resolves its keywords. Kept on ``args``."""
    from ftprep.session import open_session

    paths = getattr(args, "inputs", None) or [getattr(args, "input", ".")]
    reports = hasattr(args, "no_baseline")  # convert and split report no findings
    session = args.session = open_session(
        paths[0] if paths else ".",
        isolated=getattr(args, "isolated", False),
        baseline=getattr(args, "baseline", None),
        use_baseline=reports and not args.no_baseline,
        profile=getattr(args, "profile", None),
        model=getattr(args, "model", None),
        select=_split_commas(getattr(args, "select", None)),
        extend_select=_split_commas(getattr(args, "extend_select", [])) or [],
        ignore=_split_commas(getattr(args, "ignore", [])) or [],
        mapping=_mapping(args),
        workers=getattr(args, "workers", None),
        fail_on=getattr(args, "fail_on", None),
        epochs=getattr(args, "epochs", None),
        tokenizer=getattr(args, "tokenizer", None),
        trainer=getattr(args, "trainer", None),
        max_length=getattr(args, "max_length", None),
        loss=getattr(args, "loss", None),
        sheet=args.sheet,
        encoding=args.encoding,
        delimiter=_delimiter(args.delimiter),
        header=not args.no_header,
        quoting=args.quoting,
        input_format=args.input_format,
    )
    return session


def _mapping(args: argparse.Namespace) -> Any:
    from ftprep.conversion import parse_map_args

    return parse_map_args(args.map, args.template, args.system, args.to)


def _delimiter(value: str | None) -> str | None:
    if value is None:
        return None
    return {"\\t": "\t", "tab": "\t", "TAB": "\t"}.get(value, value)


def _read_stdin(paths: Sequence[str]) -> bytes | None:
    return sys.stdin.buffer.read() if "-" in paths else None


def _records(n: int) -> str:
    return f"{n:,} record{'s' if n != 1 else ''}"


class Stopped(Exception):
    """SIGTERM or SIGHUP: unwind like Ctrl+C, so every temporary file is removed."""

    def __init__(self, signal: int, name: str) -> None:
        super().__init__(name)
        self.signal = signal
        self.name = name


def _stop_on_signals() -> None:
    import signal

    def stop(signum: int, _frame: object) -> None:
        raise Stopped(signum, signal.Signals(signum).name)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError):  # not the main thread (tests, embedding)
                signal.signal(number, stop)


def _os_error(exc: OSError) -> str:
    """An OSError as a sentence naming the path and what to do."""
    import errno

    where = f" {exc.filename}" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        import tempfile

        return (
            f"no space left on the device holding{where or ' a file being written'}; free "
            f"some space or write elsewhere (temporary files go to {tempfile.gettempdir()}, "
            "set TMPDIR to move them). Nothing was replaced"
        )
    if isinstance(exc, PermissionError):
        return f"permission denied:{where}; check the file's and its directory's permissions"
    return f"{exc.strerror or exc}:{where}"


def _about(path: str, exc: Exception) -> str:
    """An error message that names its file once."""
    message = str(exc)
    return message if message.startswith(f"{path}:") else f"{path}: {message}"


def _err(message: str) -> None:
    sys.stderr.write(f"ftprep: {message}\n")


# -- commands ---------------------------------------------------------------------------
def cmd_convert(args: argparse.Namespace) -> int:
    from ftprep.core.outputs import check_extension, check_paths
    from ftprep.pipeline import convert_file, stage
    from ftprep.readers import ReadError
    from ftprep.writers.jsonl import default_rejected_path

    output = args.output
    if output is None:
        if args.input == "-":
            output = "-"
        else:
            stem, ext = os.path.splitext(args.input)
            if ext.lower() == ".jsonl":
                _err("convert: pass -o OUTPUT (the input is already .jsonl)")
                return EXIT_ERROR
            output = stem + ".jsonl"
    rejected = args.rejected or (
        default_rejected_path(output) if output != "-" else "rejected.jsonl"
    )
    check_paths("convert", [("the input", args.input)], [("-o", output), ("--rejected", rejected)])
    check_extension("convert", "-o", output)
    options = _session(args).for_path(args.input)
    bar, update = _progress_factory(True)
    size = os.path.getsize(args.input) if args.input != "-" and os.path.isfile(args.input) else 0
    advance = stage(update, args.input, size)
    try:
        if bar is not None:
            bar.start()
        result = convert_file(
            args.input,
            output,
            options,
            rejected,
            stdin_data=_read_stdin([args.input]),
            progress=advance,
        )
    except ReadError as exc:
        name = "<stdin>" if args.input == "-" else args.input
        line = f":{exc.line}" if exc.line else ""
        sys.stderr.write(f"{name}{line}: {Reason.UNREADABLE_FILE.code} [error] {exc}\n")
        return EXIT_PROBLEMS
    finally:
        if bar is not None:
            bar.stop()
    out = sys.stderr if output == "-" else sys.stdout
    out.write(f"{result.input}: read as {result.layout}\n")
    line = (
        f"Converted {_records(result.read)}: {result.written:,} written to {output}, "
        f"{result.rejected:,} rejected"
    )
    if result.rejected_path:
        reasons = ", ".join(f"{code} ×{n}" for code, n in sorted(result.reasons.items()))
        line += f" to {result.rejected_path} ({reasons})"
    out.write(line + ".\n")
    if result.skipped_empty_rows:
        out.write(f"Skipped {result.skipped_empty_rows:,} empty rows.\n")
    if result.empty_answers:
        out.write(
            f"warning: {result.empty_answers:,} of {result.written:,} written records have an "
            "empty answer: they teach nothing; check the mapping of the answer column.\n"
        )
    if result.output_errors:
        counts = ", ".join(f"{code} ×{n:,}" for code, n in sorted(result.output_errors.items()))
        n = sum(result.output_errors.values())
        out.write(
            f"warning: the written records have {n:,} structure error{'' if n == 1 else 's'} "
            f"a trainer would reject ({counts}); see `ftprep lint {output}`.\n"
        )
    return EXIT_OK if result.rejected == 0 else EXIT_PROBLEMS


def _progress_factory(enabled: bool) -> Any:
    if not enabled or not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    # On stderr: stdout carries the report (or the converted data) and may be a pipe.
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        auto_refresh=False,
    )
    tasks: dict[str, Any] = {}

    def update(file: str, done: int, total: int) -> None:
        if file not in tasks:
            tasks[file] = progress.add_task(file, total=total)
        progress.update(tasks[file], completed=done)
        progress.refresh()

    return progress, update


def cmd_report(args: argparse.Namespace) -> int:
    """``ftprep report``: a lint whose findings go to one HTML file instead of the terminal."""
    try:
        import ftprep.report.html_format  # noqa: F401  (matplotlib, from the extra)
    except ImportError as exc:
        _err(f"report: {exc}")
        return EXIT_ERROR
    from ftprep.core.outputs import check_paths

    inputs = [("the input", path) for path in args.inputs]
    inputs += [("--valid", args.valid), ("--against", args.against)]
    check_paths("report", inputs, [("-o", args.report_output)])
    for flag in ("fix", "unsafe_fixes", "in_place", "add_baseline", "statistics", "show_all"):
        setattr(args, flag, False)
    for option in ("plan", "output"):
        setattr(args, option, None)
    args.output_format = "html"
    args.exit_zero = True  # the report is the result; findings do not fail it
    return cmd_lint(args)


def cmd_lint(args: argparse.Namespace) -> int:
    from ftprep.api import report_data, report_from_run
    from ftprep.core.errors import FtprepError
    from ftprep.pipeline import baseline_entries
    from ftprep.report import render

    fmt = args.output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if (args.unsafe_fixes or args.plan) and not args.fix:
        _err(f"lint: {'--plan' if args.plan else '--unsafe-fixes'} needs --fix")
        return EXIT_ERROR
    if args.unsafe_fixes and args.plan:
        _err("lint --fix: the fix plan decides which fixes apply; drop --unsafe-fixes")
        return EXIT_ERROR
    if (args.output or args.in_place) and not args.fix:
        _err("lint: -o/--in-place write fixed data; add --fix")
        return EXIT_ERROR
    if args.add_baseline and (args.fix or args.no_baseline):
        _err("lint: --add-baseline cannot be combined with --fix or --no-baseline")
        return EXIT_ERROR
    if args.baseline and not args.add_baseline and not os.path.exists(args.baseline):
        _err(f"lint: --baseline {args.baseline}: no such file (--add-baseline writes one)")
        return EXIT_ERROR
    session = _session(args)
    options = session.options
    if args.fix:
        return _lint_fix(args, session, fmt)
    stdin_data = _read_stdin(args.inputs)
    progress, update = _progress_factory(not args.no_progress and fmt not in ("json", "sarif"))
    worst = EXIT_OK
    failed = False
    reports = []
    excerpts: dict[tuple[str, int], str] = {}
    checked: set[str] = set()
    to_baseline: list[Any] = []
    try:
        if progress is not None:
            progress.start()
        for i, path in enumerate(args.inputs):
            try:
                linted = session.lint(
                    path,
                    position=i,
                    inputs=args.inputs,
                    valid=args.valid,
                    against=args.against,
                    progress=update,
                    stdin_data=stdin_data,
                )
            except FtprepError as exc:  # one file's problem never stops the others
                if len(args.inputs) == 1:
                    raise
                _err(f"error: {_about(path, exc)}")
                failed = True
                continue
            if linted is None:
                continue  # linted with its training file
            run, path_options = linted
            reports.append(report_from_run(run, path_options))
            if fmt == "html":
                from ftprep.session import related_excerpts

                excerpts.update(related_excerpts(run))
                checked.update(run.checked)
            if args.add_baseline:
                to_baseline += baseline_entries(run, options.baseline)
            elif fmt not in ("json", "sarif"):
                _baseline_note(run, options.baseline)
    finally:
        if progress is not None:
            progress.stop()
    if args.add_baseline:
        from ftprep.core.baseline import Baseline

        baseline = Baseline.load_or_empty(options.baseline)
        added = baseline.add(to_baseline)
        baseline.dump(options.baseline)
        sys.stdout.write(
            f"Added {added:,} finding{'s' if added != 1 else ''} to {options.baseline}.\n"
        )
        return EXIT_OK
    from ftprep.api import merge_reports

    if not reports:
        return EXIT_ERROR
    data = report_data(
        merge_reports(reports),
        statistics=args.statistics,
        show_all=args.show_all,
        describe_rules=fmt == "sarif",
    )
    data.terminal = fmt == "text" and _colour(args, sys.stdout)
    if fmt == "html":
        from ftprep.api import rule_metadata

        data.excerpts = excerpts
        data.rules = rule_metadata(checked | {d.code for d in data.diagnostics})
        data.checked = sorted(checked)
        if not _write_html(args, data):
            return EXIT_ERROR
        if any(not f["layout"] for f in data.files):
            return EXIT_PROBLEMS  # findings do not fail a report; an unreadable input does
    else:
        render(fmt, data, sys.stdout)
    if not all(r.ok for r in reports):
        worst = EXIT_PROBLEMS
    if failed:
        return EXIT_ERROR
    return EXIT_OK if args.exit_zero else worst


def _colour(args: argparse.Namespace, stream: Any) -> bool:
    """Colour and drawings only on a terminal, and never with --no-color or NO_COLOR set."""
    if getattr(args, "no_color", False) or os.environ.get("NO_COLOR"):
        return False
    return bool(stream.isatty())


def _write_html(args: argparse.Namespace, data: Any) -> bool:
    """The HTML report to ``--output`` (``ftprep report``) or standard output."""
    from ftprep.report import render

    path = getattr(args, "report_output", None)
    if not path or path == "-":
        render("html", data, sys.stdout)
        return True
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            render("html", data, out)
    except OSError as exc:
        _err(f"report: cannot write {path}: {exc.strerror}")
        return False
    _err(f"Wrote the report to {path}")
    return True


def _baseline_note(run: Any, baseline: str | None) -> None:
    """Say on stderr what the baseline hid and which of its entries no longer match."""
    if run.suppressed:
        hidden = f"{run.suppressed:,} finding{'s' if run.suppressed != 1 else ''}"
        _err(f"{hidden} hidden by the baseline {baseline}")
    for entry in run.stale_baseline:
        where = f" at {entry.pointer}" if entry.pointer else ""
        _err(
            f"stale baseline entry in {baseline}: {entry.file} {entry.code}{where} "
            f"(record {entry.record[:12]}) matches no finding; remove it"
        )


def _lint_fix(args: argparse.Namespace, session: Any, fmt: str) -> int:
    from ftprep.core.errors import FtprepError
    from ftprep.core.fixplan import FixPlan

    if len(args.inputs) > 1 and not args.in_place:
        _err("lint --fix: several inputs need --in-place")
        return EXIT_ERROR
    if args.valid and not (args.in_place or args.valid_output):
        _err(
            "lint --fix --valid: pass --valid-output PATH (or --in-place) for the fixed validation file"
        )
        return EXIT_ERROR
    if args.in_place and args.output:
        _err("lint --fix: choose -o or --in-place, not both")
        return EXIT_ERROR
    if not args.in_place and not args.output:
        _err("lint --fix: pass -o OUTPUT or --in-place")
        return EXIT_ERROR
    plan = FixPlan.load(args.plan) if args.plan else None
    worst = EXIT_OK
    for path in args.inputs:
        # One file's problem (a mapping that does not fit it, say) never stops the others.
        try:
            code = _fix_one(args, path, session.for_path(path), plan, fmt)
        except FtprepError as exc:
            _err(f"error: {_about(path, exc)}")
            code = EXIT_ERROR
        worst = max(worst, code)
    return EXIT_OK if args.exit_zero and worst != EXIT_ERROR else worst


def _fix_one(args: argparse.Namespace, path: str, path_options: Any, plan: Any, fmt: str) -> int:
    """Fix one input (or, in place, lint a table, which is never rewritten)."""
    from ftprep.api import report_data, report_from_run
    from ftprep.core.outputs import check_extension, check_paths
    from ftprep.pipeline import fix_file, fix_valid_file, lint_files
    from ftprep.report import render
    from ftprep.writers.jsonl import default_fixlog_path, default_rejected_path

    worst = EXIT_OK
    if args.in_place:
        if path == "-" or not path.lower().endswith((".jsonl", ".ndjson")):
            # Pre-commit passes tables too: lint them, but never rewrite a CSV as JSONL.
            _err(
                f"{path}: linted, not fixed: only JSONL files are fixed in place "
                "(write the fixed data of a table with -o FILE.jsonl)"
            )
            report = report_from_run(lint_files([("train", path)], path_options), path_options)
            render(
                fmt,
                report_data(
                    report,
                    statistics=args.statistics,
                    show_all=args.show_all,
                    describe_rules=fmt == "sarif",
                ),
                sys.stdout,
            )
            return EXIT_OK if report.ok else EXIT_PROBLEMS
        output = path
    else:
        output = args.output
    base = output if output != "-" else "fixed.jsonl"
    rejected = args.rejected or default_rejected_path(base)
    fixlog = None if args.no_fix_log else args.fix_log or default_fixlog_path(base)
    valid_output = None
    if args.valid and path == args.inputs[0]:
        valid_output = args.valid if args.in_place else args.valid_output
    inputs: list[tuple[str, str | None]] = [("the input", path)]
    inputs += [("--valid", args.valid)] if valid_output else []
    # In place, the input is its own output; every other file must differ from it.
    outputs: list[tuple[str, str | None]] = [] if args.in_place else [("-o", output)]
    outputs += [("--rejected", rejected), ("--fix-log", fixlog)]
    if valid_output:
        outputs += [] if args.in_place else [("--valid-output", valid_output)]
        outputs += [
            ("the validation rejected file", default_rejected_path(valid_output)),
            ("the validation fix log", default_fixlog_path(valid_output)),
        ]
    check_paths("lint --fix", inputs, outputs)
    if not args.in_place:
        check_extension("lint --fix", "-o", output)
    bar, update = _progress_factory(not args.no_progress and fmt not in ("json", "sarif"))
    if bar is not None:
        bar.start()
    try:
        result = fix_file(
            path,
            output,
            path_options,
            unsafe=args.unsafe_fixes,
            rejected_path=rejected,
            fixlog_path=fixlog,
            plan=plan,
            stdin_data=_read_stdin([path]),
            progress=update,
        )
    finally:
        if bar is not None:
            bar.stop()
    assert result.final is not None
    report = report_from_run(result.final, path_options)
    fixed: dict[str, Any] = {
        "applied": sum(result.applied.values()),
        "by_code": dict(sorted(result.applied.items())),
        "read": result.read,
        "written": result.written,
        "rejected": result.rejected,
        "output": output,
        "rejected_path": result.rejected_path,
        "fix_log": result.fixlog_path,
        "iterations": result.iterations,
        "passes": [dict(sorted(p.items())) for p in result.passes],
        "not_converged": result.not_converged,
        "changed": result.changed,
        "previous_rejected": result.previous_rejected,
    }
    if valid_output:
        valid = fix_valid_file(
            path,
            args.valid,
            valid_output,
            path_options,
            unsafe=args.unsafe_fixes,
            rejected_path=default_rejected_path(valid_output),
            fixlog_path=default_fixlog_path(valid_output),
            plan=plan,
        )
        fixed["applied"] += sum(valid.applied.values())
        for code, n in valid.applied.items():
            fixed["by_code"][code] = fixed["by_code"].get(code, 0) + n
        fixed["changed"] = fixed["changed"] or valid.changed
        fixed["valid"] = {
            "read": valid.read,
            "written": valid.written,
            "rejected": valid.rejected,
            "output": valid.output,
            "rejected_path": valid.rejected_path,
            "previous_rejected": valid.previous_rejected,
        }
        # The report after fixing covers both files, as `lint --valid` would.
        report = report_from_run(
            lint_files([("train", output), ("valid", valid.output)], path_options),
            path_options,
        )
    stream = sys.stderr if output == "-" else sys.stdout
    render(
        fmt,
        report_data(
            report,
            statistics=args.statistics,
            show_all=args.show_all,
            fixed=fixed,
            describe_rules=fmt == "sarif",
        ),
        stream,
    )
    if not report.ok:
        worst = EXIT_PROBLEMS
    if args.exit_non_zero_on_fix and (fixed["applied"] or fixed["changed"]):
        worst = EXIT_PROBLEMS  # any byte changed (a BOM, CRLF, a blank line too)
    return worst


def cmd_split(args: argparse.Namespace) -> int:
    from ftprep.core.outputs import check_extension, check_paths
    from ftprep.splitting import split_file
    from ftprep.writers.jsonl import default_rejected_path

    rejected = args.rejected or default_rejected_path(args.output)
    check_paths(
        "split",
        [("the input", args.input)],
        [("-o", args.output), ("-O", args.valid_output), ("--rejected", rejected)],
    )
    check_extension("split", "-o", args.output)
    check_extension("split", "-O", args.valid_output)
    options = _session(args).for_path(args.input)
    bar, update = _progress_factory(True)
    if bar is not None:
        bar.start()
    try:
        outcome = split_file(
            args.input,
            options,
            valid_fraction=args.valid_fraction,
            seed=args.seed,
            train_output=args.output,
            valid_output=args.valid_output,
            rejected_path=rejected,
            stratify=args.stratify,
            similarity=args.similarity,
            progress=update,
        )
    finally:
        if bar is not None:
            bar.stop()
    out = sys.stdout
    out.write(
        f"{args.input}: read {outcome.read:,} = train {outcome.train_count:,} + validation "
        f"{outcome.valid_count:,} + rejected {outcome.rejected:,}\n"
    )
    if outcome.clusters_merged:
        out.write(
            f"{outcome.clusters_merged:,} duplicate or near-duplicate records kept on one side "
            "with their copies\n"
        )
    if outcome.moved_for_leaks:
        out.write(
            f"{outcome.moved_for_leaks:,} validation records moved to training: the leak check "
            "(DP003) on the written files called them leaks\n"
        )
    if outcome.valid_count * 2 < outcome.wanted:
        out.write(
            f"warning: validation holds {outcome.valid_count:,} records, not the "
            f"{outcome.wanted:,} asked for: near-duplicates join up to "
            f"{outcome.largest_cluster:,} records into one cluster, and a cluster stays on "
            "one side (a higher --similarity counts fewer records as near-duplicates)\n"
        )
    if outcome.similarity != outcome.leak_threshold:
        out.write(
            f"note: checked for leaks at similarity {outcome.similarity:g}; `ftprep lint "
            f"--valid` checks at {outcome.leak_threshold:g} unless [rules.DP003] threshold = "
            f"{outcome.similarity:g}\n"
        )
    if outcome.rejected_path:
        out.write(f"rejected records in {outcome.rejected_path}\n")
    if outcome.stratified:
        width = max([5, *(len(label) for label in outcome.classes)][:1000])
        width = min(width, 40)
        out.write(f"\n{'class':<{width}}  {'train':>8}  {'valid':>8}\n")
        for label, (train, valid) in outcome.classes.items():
            shown = label if len(label) <= width else label[: width - 1] + "…"
            out.write(f"{shown:<{width}}  {train:>8,}  {valid:>8,}\n")
    out.write(f"wrote {args.output} and {args.valid_output}\n")
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    if args.input == "-":
        _err("review: needs a file (standard input cannot be read twice)")
        return EXIT_ERROR
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        _err("review: needs a terminal; in scripts use `ftprep lint --fix --plan FIXPLAN`")
        return EXIT_ERROR
    for path in (args.input, args.valid):
        if path and not os.path.exists(path):
            _err(f"review: {path}: no such file")
            return EXIT_ERROR
    from ftprep.tui.app import ReviewApp
    from ftprep.tui.keys import keymap_from
    from ftprep.tui.session import ReviewSession

    run = _session(args)
    session = ReviewSession(
        args.input,
        run.for_path(args.input),
        valid=args.valid,
        output=args.output,
        plan_path=args.plan,
    )
    # The session's project config (None with --isolated) also holds the key bindings.
    app = ReviewApp(session, keymap=keymap_from(run.config))
    app.run()
    outcome = app.last_save
    if outcome is not None:
        sys.stdout.write(
            f"{outcome.output}: {outcome.written:,} records written, {outcome.rejected:,} "
            f"dropped; fix plan {outcome.plan_path} (replay: ftprep lint {args.input} --fix "
            f"--plan {outcome.plan_path} -o {outcome.output})\n"
        )
    return EXIT_OK


def cmd_upload(args: argparse.Namespace) -> int:
    from ftprep.upload.commands import upload

    return upload(args, _session(args).for_path(args.input))


def cmd_train(args: argparse.Namespace) -> int:
    from ftprep.upload.commands import train

    return train(args, _session(args).for_path(args.input))


def cmd_jobs(args: argparse.Namespace) -> int:
    from ftprep.upload.commands import jobs

    return jobs(args)


def _rule_table() -> str:
    """The rule catalogue as a Markdown table (docs/rules.md is this, printed)."""
    from ftprep.rules import REGISTRY

    lines = [
        "# Rule catalogue",
        "",
        "Every rule ftprep has, as `ftprep rule --all --markdown` prints it (a test keeps",
        "this file equal to that output). `ftprep rule CODE` prints a rule's documentation.",
        "",
        "| code | name | severity | targets | fix | what it reports |",
        "|---|---|---|---|---|---|",
    ]
    for code, cls in REGISTRY.items():
        targets = ", ".join(sorted(k.value for k in cls.targets))
        what = cls.doc().split("## What it does", 1)[-1].strip().split("\n\n")[0]
        what = " ".join(what.split()).split(". ")[0].rstrip(".").replace("|", "\\|")
        lines.append(
            f"| {code} | {cls.name} | {cls.default_severity.value} | {targets} | "
            f"{cls.fix_availability.value} | {what} |"
        )
    return "\n".join(lines) + "\n"


def cmd_render(args: argparse.Namespace) -> int:
    """``ftprep render``: one record as the trainer will train on it."""
    from ftprep import api
    from ftprep.report import rendered_format

    rendered = api.render(
        args.input,
        args.line,
        record=args.record,
        tokenizer=args.tokenizer,
        trainer=args.trainer,
        max_length=args.max_length,
        loss=args.loss,
        isolated=args.isolated,
    )
    if _colour(args, sys.stdout):
        from rich.console import Console

        Console(highlight=False).print(rendered_format.rich_text(rendered), end="")
    else:
        sys.stdout.write(rendered_format.plain(rendered))
    return EXIT_OK


def cmd_rule(args: argparse.Namespace) -> int:
    from ftprep.rules import REGISTRY, rule_by_name

    if args.markdown:
        sys.stdout.write(_rule_table())
        return EXIT_OK
    if args.all or not args.rule:
        for code, cls in REGISTRY.items():
            fix = {"none": " ", "sometimes": "~", "always": "*"}[cls.fix_availability.value]
            sys.stdout.write(f"{code}  [{fix}] {cls.default_severity.value:<7} {cls.name}\n")
        sys.stdout.write(
            "\n[*] always fixable, [~] sometimes fixable, [ ] no fix; the severity is the "
            "default (profiles and config change it). `ftprep rule CODE` prints one rule.\n"
        )
        return EXIT_OK
    found = REGISTRY.get(args.rule.upper()) or rule_by_name(args.rule)
    if found is None:
        _err(f"rule: no rule {args.rule!r}; list them with `ftprep rule --all`")
        return EXIT_ERROR
    cls = found
    sys.stdout.write(f"# {cls.name} ({cls.code})\n\n")
    sys.stdout.write(
        f"Group: {cls.group}. Default severity: {cls.default_severity.value}. "
        f"Applies to: {', '.join(sorted(k.value for k in cls.targets))}. "
        f"Fix: {cls.fix_availability.value}.\n\n"
    )
    sys.stdout.write(cls.doc() + "\n")
    return EXIT_OK


COMMANDS = {
    "convert": cmd_convert,
    "lint": cmd_lint,
    "report": cmd_report,
    "render": cmd_render,
    "split": cmd_split,
    "review": cmd_review,
    "upload": cmd_upload,
    "train": cmd_train,
    "jobs": cmd_jobs,
    "rule": cmd_rule,
}


def main(argv: Sequence[str] | None = None) -> int:
    # ftprep's models need no pydantic plugin, and looking for them scans every installed
    # package's metadata: ~10 ms of every cold start (pre-commit pays it on each commit).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    from ftprep.core.errors import FtprepError
    from ftprep.upload.provider import ProviderError

    _stop_on_signals()
    try:
        return COMMANDS[args.command](args)
    except FtprepError as exc:
        _err(f"error: {exc}")
        return EXIT_ERROR
    except ProviderError as exc:
        from ftprep.upload.commands import scrub

        _err(scrub(f"error: {exc}"))
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        _err("interrupted; nothing was replaced (temporary files removed)")
        return EXIT_INTERRUPTED
    except Stopped as exc:
        _err(f"stopped by {exc.name}; nothing was replaced (temporary files removed)")
        return signal_exit(exc.signal)
    except BrokenPipeError:
        # The reader of our output went away (`| head`): stop quietly, as Unix tools do.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # the environment: a full disk, a permission, a missing device
        _err(f"error: {_os_error(exc)}")
        return EXIT_ERROR
    except Exception as exc:  # an internal error: say so plainly, traceback only on request
        if os.environ.get("FTPREP_DEBUG"):
            raise
        _err(f"internal error: {type(exc).__name__}: {exc} (set FTPREP_DEBUG=1 for a traceback)")
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
