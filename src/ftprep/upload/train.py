"""Upload and train, safely: it is the step that spends money.

Before anything is sent, the data is linted with the profile and the target model, and the
run refuses while errors remain (unless forced). Nothing is created twice: before an upload
is retried, the service is asked whether the file arrived anyway; the same for a job. Errors
the service reports against a line of the uploaded file are mapped back to the source file,
sheet and row of the record that produced that line.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ftprep.core.reasons import Reason
from ftprep.upload.provider import JobSpec, Provider, ProviderError, RemoteFile, RemoteJob

Say = Callable[[str], None]
T = TypeVar("T")
_LINE_RE = re.compile(r"\b(line|example|row)\s*#?\s*(\d+)", re.IGNORECASE)


@dataclass
class Prepared:
    """A file ready to send: the JSONL to upload and where each of its lines came from."""

    source: str
    path: str
    filename: str
    kind: str
    errors: int
    warnings: int
    tokens: dict[str, Any] | None
    # Upload line (1-based) -> (file, sheet, row) of the source record; None: same file.
    origins: list[tuple[str, str | None, int]] | None = None
    # Rows conversion could not turn into records (each one a lint finding with its reason).
    not_sent: int = 0
    # Why the file cannot be read at all (IO001): nothing to send, even with --force.
    unreadable: str | None = None
    workdir: str | None = None
    # The errors by rule, and whether a fix exists for each (safe, or unsafe only).
    error_codes: dict[str, int] = field(default_factory=dict)
    fixable: str | None = None  # "safe", "unsafe" or None
    # The lint that shows exactly these errors (with --valid for a validation file), and
    # the one that applies their fixes (None when no error has one).
    lint_command: str = ""
    fix_command: str | None = None

    def cleanup(self) -> None:
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def locate(self, message: str) -> str | None:
        """'file:row' (with the sheet) of the record a service message names by line."""
        found = _LINE_RE.search(message)
        if found is None:
            return None
        line = int(found.group(2))
        if self.origins is None:
            return f"{self.source}:{line}"
        if 1 <= line <= len(self.origins):
            file, sheet, row = self.origins[line - 1]
            return f"{file}{f' [{sheet}]' if sheet else ''}:{row}"
        return None


def prepare(path: str, options: Any, *, train: str | None = None) -> Prepared:
    """Lint ``path`` as it will be trained on, and make the JSONL to upload.

    A validation file (``train`` given) is linted beside its training file, as ``lint
    --valid`` does: leaks from train are errors there. JSONL inputs are uploaded exactly as
    they are; other formats are converted first (to a temporary file) and each converted line
    remembers its source row.
    """
    from ftprep.api import report_from_run
    from ftprep.pipeline import iter_slots, lint_files
    from ftprep.writers.jsonl import AtomicWriter

    if train is None:
        run = lint_files([("train", path)], options)
    else:
        run = lint_files([("train", train), ("valid", path)], options)
        run.results, run.opened = run.results[1:], run.opened[1:]
    report = report_from_run(run, options)
    summary = report.summary
    tokens = report.files[0].tokens if report.files else None
    is_jsonl = path.lower().endswith((".jsonl", ".ndjson"))
    prepared = Prepared(
        source=path,
        path=path,
        filename=os.path.basename(path),
        kind=run.kind.value,
        errors=summary.errors,
        warnings=summary.warnings,
        tokens=tokens,
    )
    errors = [d for d in report.diagnostics if d.severity.value == "error" and not d.summary]
    prepared.error_codes = dict(sorted(Counter(d.code for d in errors).items()))
    kinds = {d.fix.applicability.value for d in errors if d.fix is not None and d.fix.applicable}
    prepared.fixable = "safe" if kinds == {"safe"} else ("unsafe" if kinds else None)
    prepared.lint_command = lint_command(path, train, options)
    if prepared.fixable:
        prepared.fix_command = fix_command(prepared.lint_command, path, train, prepared.fixable)
    unreadable = next(
        (d for d in report.diagnostics if d.code == Reason.UNREADABLE_FILE.code), None
    )
    if unreadable is not None:
        line = f":{unreadable.line}" if unreadable.line else ""
        prepared.unreadable = f"{unreadable.file}{line}: {unreadable.message}"
    if is_jsonl or unreadable is not None:
        return prepared
    workdir = tempfile.mkdtemp(prefix="ftprep-upload-")
    stem = os.path.splitext(os.path.basename(path))[0]
    target = os.path.join(workdir, f"{stem}.jsonl")
    opened = run.opened[0]  # the lint's own source, already converting: read it again
    assert opened is not None  # an unreadable file returned above
    origins: list[tuple[str, str | None, int]] = []
    info = opened.source.info
    with AtomicWriter(target) as out:
        for slot in iter_slots(opened.source):
            if slot.record is not None:
                out.write_record(slot.record.data)
                origins.append((info.file, info.sheet, slot.line))
            else:  # not sent; lint reported it (an error, unless --force sends the rest)
                prepared.not_sent += 1
    prepared.path, prepared.filename = target, os.path.basename(target)
    prepared.origins, prepared.workdir = origins, workdir
    return prepared


def lint_command(path: str, train: str | None, options: Any) -> str:
    """The ``ftprep lint`` command line that shows the findings ``prepare`` found."""
    import shlex

    words = ["ftprep", "lint", train or path] + (["--valid", path] if train else [])
    if options.model:
        words += ["--model", options.model]
    if options.profile:
        words += ["--profile", options.profile]
    return shlex.join(words)


def fix_command(lint: str, path: str, train: str | None, fixable: str) -> str:
    """``lint`` with the flags that apply the fixes and write the data beside the input."""
    import shlex

    def fixed(name: str) -> str:
        stem, _ = os.path.splitext(name)
        return f"{stem}.fixed.jsonl"

    flags = ["--fix"] + (["--unsafe-fixes"] if fixable == "unsafe" else [])
    target = ["-o", fixed(train or path)] + (["--valid-output", fixed(path)] if train else [])
    return lint + " " + shlex.join(flags + target)


@dataclass
class Safety:
    """How the orchestration waits and retries (short in tests)."""

    poll_seconds: float = 5.0
    retry_seconds: float = 2.0
    attempts: int = 4
    processing_timeout: float = 3600.0


def upload_file(
    provider: Provider,
    prepared: Prepared,
    *,
    reuse: Callable[[RemoteFile], bool],
    say: Say,
    safety: Safety,
) -> RemoteFile:
    """Upload once: reuse a same-named, same-sized file if the user agrees; after a failure,
    look for the file before sending it again."""
    size = os.path.getsize(prepared.path)
    before = provider.list_files()
    for existing in before:
        if existing.filename == prepared.filename and existing.bytes == size:
            if existing.status != "error" and reuse(existing):
                say(f"Reusing {existing.id} ({existing.filename}, {existing.bytes:,} bytes).")
                return existing
            break
    known = {f.id for f in before}

    def arrived() -> RemoteFile | None:
        return next(
            (
                f
                for f in provider.list_files()
                if f.id not in known and f.filename == prepared.filename and f.bytes == size
            ),
            None,
        )

    uploaded = _create_once(
        lambda: provider.upload(prepared.path, prepared.filename),
        arrived,
        "the file arrived",
        say=say,
        safety=safety,
    )
    say(f"Uploaded {prepared.filename} ({size:,} bytes) as {uploaded.id}.")
    return uploaded


def wait_processed(
    provider: Provider, file: RemoteFile, prepared: Prepared, *, say: Say, safety: Safety
) -> RemoteFile:
    """Wait until the service has checked the file; its errors point at source rows."""
    start = time.monotonic()
    current = file
    while current.status not in ("processed", "error"):
        if time.monotonic() - start > safety.processing_timeout:
            raise ProviderError(f"{file.id} is still {current.status}; try again later")
        time.sleep(safety.poll_seconds)
        current = provider.get_file(file.id)
    if current.status == "error":
        details = current.status_details or "no details given"
        raise ProviderError(
            _with_source(f"the service rejected {file.filename}: {details}", prepared)
        )
    say(f"{file.id} is processed.")
    return current


def start_job(provider: Provider, spec: JobSpec, *, say: Say, safety: Safety) -> RemoteJob:
    """Create the job once; after a failure, look for it before asking again."""
    known = {j.id for j in provider.list_jobs()}

    def created() -> RemoteJob | None:
        return next(
            (
                job
                for job in provider.list_jobs()
                if job.id not in known
                and job.training_file == spec.training_file
                and job.model.startswith(spec.model.split(":")[0])
            ),
            None,
        )

    job = _create_once(
        lambda: provider.create_job(spec), created, "the job was created", say=say, safety=safety
    )
    say(f"Created {job.id} ({job.model}, {job.status}).")
    return job


def _create_once(
    create: Callable[[], T], find: Callable[[], T | None], what: str, *, say: Say, safety: Safety
) -> T:
    """Call ``create``; after a transient failure, wait, and use what ``find`` finds (the
    request succeeded though its answer was lost) before calling ``create`` again."""
    for attempt in range(1, safety.attempts + 1):
        try:
            return create()
        except ProviderError as exc:
            if not exc.transient or attempt == safety.attempts:
                raise
            say(f"{exc}; checking whether {what} before trying again...")
            time.sleep(safety.retry_seconds * 2 ** (attempt - 1))
            found = find()
            if found is not None:
                say(f"Yes: {getattr(found, 'id', found)}.")
                return found
    raise AssertionError("unreachable")  # pragma: no cover


def follow(
    provider: Provider,
    job_id: str,
    *,
    say: Say,
    status: Callable[[str], None],
    safety: Safety,
    prepared: Prepared | None = None,
) -> RemoteJob:
    """Print the job's events as they come and keep a status line until it ends."""
    seen: set[str] = set()
    while True:
        job = provider.get_job(job_id)
        for event in provider.events(job_id):
            if event.id not in seen:
                seen.add(event.id)
                say(
                    f"[{time.strftime('%H:%M:%S', time.localtime(event.created_at))}] {event.message}"
                )
        status(_status_line(job))
        if job.finished:
            break
        time.sleep(safety.poll_seconds)
    if job.status == "succeeded":
        say(
            f"Done: {job.fine_tuned_model}"
            + (f" ({job.trained_tokens:,} trained tokens)" if job.trained_tokens else "")
        )
    elif job.status == "failed":
        error = job.error or {}
        message = error.get("message") or "the job failed without a reason"
        if error.get("param"):
            message += f" ({error['param']})"
        say("Failed: " + (_with_source(message, prepared) if prepared else message))
    else:
        say(f"The job was {job.status}.")
    return job


def _status_line(job: RemoteJob) -> str:
    return f"{job.id}: {job.status}" + (
        f" → {job.fine_tuned_model}" if job.fine_tuned_model else ""
    )


def _with_source(message: str, prepared: Prepared | None) -> str:
    where = prepared.locate(message) if prepared is not None else None
    if where is None:
        return message
    return f"{message}\n  the record comes from {where}"
