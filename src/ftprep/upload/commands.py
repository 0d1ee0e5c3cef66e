"""The ``upload``, ``train`` and ``jobs`` commands: what the person sees and decides.

Facts and progress go to stderr; stdout carries only ids (a file id, a job id), so scripts
can capture them. Nothing here prompts without a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ftprep.exitcodes import EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS
from ftprep.upload.provider import JobSpec
from ftprep.upload.train import (
    Safety,
    follow,
    prepare,
    start_job,
    upload_file,
    wait_processed,
)


def upload(args: argparse.Namespace, options: Any) -> int:
    """``ftprep upload``: lint, upload once, wait until processed, print the file id."""
    prepared = prepare(args.input, options)
    try:
        if not _lint_gate(prepared, args.force):
            return EXIT_PROBLEMS
        if prepared.not_sent:
            _note(_not_sent(prepared))
        provider = _provider(args)
        safety = Safety(poll_seconds=args.poll_interval, retry_seconds=args.poll_interval)
        file = upload_file(provider, prepared, reuse=_reuse_policy(args), say=_note, safety=safety)
        wait_processed(provider, file, prepared, say=_note, safety=safety)
    finally:
        prepared.cleanup()
    sys.stdout.write(file.id + "\n")
    return EXIT_OK


def train(args: argparse.Namespace, options: Any) -> int:
    """``ftprep train``: lint gate, plan and cost, confirmation, uploads, job, follow."""
    if not args.model:
        _err("train: pass --model (the model to fine-tune, e.g. gpt-4.1-mini-2025-04-14)")
        return EXIT_ERROR
    train = prepare(args.input, options)
    valid = prepare(args.valid, options, train=args.input) if args.valid else None
    try:
        _describe_plan(args, train, valid)
        for prepared in (train, valid):
            if prepared is not None and not _lint_gate(prepared, args.force):
                return EXIT_PROBLEMS
        if args.dry_run:
            sys.stdout.write("Dry run: nothing was sent.\n")
            return EXIT_OK
        if not _confirm("Upload and start the fine-tuning job?", args.yes):
            return EXIT_ERROR if not sys.stdin.isatty() else EXIT_OK
        provider = _provider(args)
        safety = Safety(poll_seconds=args.poll_interval, retry_seconds=args.poll_interval)
        reuse = _reuse_policy(args)
        files = {}
        for split, prepared in (("training", train), ("validation", valid)):
            if prepared is None:
                continue
            uploaded = upload_file(provider, prepared, reuse=reuse, say=_note, safety=safety)
            files[split] = wait_processed(provider, uploaded, prepared, say=_note, safety=safety)
        spec = JobSpec(
            model=args.model,
            training_file=files["training"].id,
            validation_file=files["validation"].id if "validation" in files else None,
            method=args.method or ("dpo" if train.kind == "preference" else "supervised"),
            epochs=args.epochs,
            batch_size=args.batch_size,
            learning_rate_multiplier=args.learning_rate_multiplier,
            suffix=args.suffix,
            seed=args.seed,
        )
        job = start_job(provider, spec, say=_note, safety=safety)
        sys.stdout.write(job.id + "\n")
        sys.stdout.flush()
        if args.no_follow:
            return EXIT_OK
        return follow_job(provider, job.id, safety, train)
    finally:
        train.cleanup()
        if valid is not None:
            valid.cleanup()


def jobs(args: argparse.Namespace) -> int:
    """``ftprep jobs list | follow | cancel | results``."""
    provider = _provider(args)
    if args.jobs_command == "list":
        for job in provider.list_jobs(args.limit):
            model = job.fine_tuned_model or "-"
            sys.stdout.write(f"{job.id}  {job.status:<16} {job.model:<32} {model}\n")
        return EXIT_OK
    if args.jobs_command == "cancel":
        job = provider.cancel_job(args.job_id)
        sys.stdout.write(f"{job.id}: {job.status}\n")
        return EXIT_OK
    if args.jobs_command == "results":
        return job_results(provider, args.job_id, args.output)
    return follow_job(provider, args.job_id, Safety(poll_seconds=args.poll_interval), None)


def job_results(provider: Any, job_id: str, output: str | None) -> int:
    """``ftprep jobs results``: the curves and checkpoints of a job, or why there are none."""
    from ftprep.upload.results import ResultFileError, parse_results, summary_lines, warnings

    job = provider.get_job(job_id)
    if job.status == "failed":
        reason = (job.error or {}).get("message") or "the service gave no reason"
        _err(f"job {job.id} failed: {reason}")
        if not job.result_files:
            return EXIT_PROBLEMS
    if not job.result_files:
        _err(
            f"job {job.id} is {job.status}: it has no result file yet (the service writes it "
            f"when the job ends); follow it with: ftprep jobs follow {job.id}"
        )
        return EXIT_PROBLEMS
    file_id = job.result_files[0]
    content = provider.file_content(file_id)
    try:
        metrics = parse_results(content)
    except ResultFileError as exc:
        _err(f"job {job.id}: result file {file_id}: {exc}")
        return EXIT_PROBLEMS
    checkpoints = provider.checkpoints(job.id)
    found = warnings(metrics)
    sys.stdout.write("\n".join(summary_lines(job, metrics, checkpoints, found)) + "\n")
    if output:
        from ftprep.upload.results_files import write_results

        try:
            written = write_results(output, job, metrics, checkpoints, found, content)
        except ImportError as exc:
            _err(str(exc))
            return EXIT_ERROR
        except OSError as exc:
            _err(f"cannot write {output}: {exc.strerror or exc}")
            return EXIT_ERROR
        for path in written:
            _note(f"Wrote {path}")
    return EXIT_OK


def follow_job(provider: Any, job_id: str, safety: Any, prepared: Any) -> int:
    """Follow a job with a live status line; Ctrl+C leaves the job running."""
    live = _status_display()
    try:
        job = follow(
            provider, job_id, say=_note, status=live.update, safety=safety, prepared=prepared
        )
    except KeyboardInterrupt:
        live.stop()
        _note(
            f"Stopped following; the job keeps running. Follow it again: ftprep jobs follow {job_id}"
        )
        return EXIT_OK
    finally:
        live.stop()
    return EXIT_OK if job.status == "succeeded" else EXIT_PROBLEMS


class _PlainStatus:
    """The status line without a terminal: printed when it changes."""

    def __init__(self) -> None:
        self.last = ""

    def update(self, text: str) -> None:
        if text != self.last:
            self.last = text
            _note(text)

    def stop(self) -> None:
        return None


def _status_display() -> Any:
    if not sys.stderr.isatty():
        return _PlainStatus()
    from rich.console import Console

    status = Console(stderr=True).status("")
    status.start()

    class _Live:
        def update(self, text: str) -> None:
            status.update(text)

        def stop(self) -> None:
            status.stop()

    return _Live()


def _err(message: str) -> None:
    """A reason the command stops, as the CLI prints them."""
    sys.stderr.write(f"ftprep: {scrub(message)}\n")


def _note(message: str) -> None:
    """Progress and facts for the person, on stderr (stdout carries ids for scripts)."""
    sys.stderr.write(scrub(message) + "\n")
    sys.stderr.flush()


def scrub(message: str) -> str:
    """Never print a key, even if a server echoes it back."""
    for name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"):
        key = os.environ.get(name)
        if key and len(key) >= 8:
            message = message.replace(key, "***")
    return message


def _provider(args: argparse.Namespace) -> Any:
    from ftprep.upload.openai_compat import OpenAIProvider

    return OpenAIProvider.from_settings(
        base_url=args.base_url,
        azure_endpoint=args.azure_endpoint,
        api_version=args.api_version,
        azure_deployment=args.azure_deployment,
    )


def _lint_gate(prepared: Any, force: bool) -> bool:
    """Refuse to send data with lint errors unless forced (and then say how many)."""
    if prepared.unreadable:
        _err(f"cannot send {prepared.unreadable}")
        return False
    if not prepared.errors:
        return True
    errors = f"{prepared.errors:,} lint error{'s remain' if prepared.errors != 1 else ' remains'}"
    if force:
        _note(f"{prepared.source}: {errors}; sending anyway (--force).")
        return True
    codes = ", ".join(f"{code} ×{n:,}" for code, n in prepared.error_codes.items())
    _err(f"{prepared.source}: {errors} ({codes}); nothing was sent.")
    _err(f"  see them: {prepared.lint_command}")
    if prepared.fix_command:
        _err(f"  fix what can be fixed: {prepared.fix_command}")
    _err("  or send anyway with --force")
    return False


def _describe_plan(args: argparse.Namespace, train: Any, valid: Any) -> None:
    """What would be sent, and what it would cost."""
    out = sys.stdout
    for label, prepared in (("training", train), ("validation", valid)):
        if prepared is None:
            continue
        size = os.path.getsize(prepared.path) if os.path.exists(prepared.path) else 0
        origin = "" if prepared.path == prepared.source else f" (converted from {prepared.source})"
        out.write(
            f"{label}: {prepared.filename}{origin}, {size:,} bytes, "
            f"{prepared.errors:,} errors, {prepared.warnings:,} warnings\n"
        )
        if prepared.not_sent:
            out.write(f"  {_not_sent(prepared)}\n")
    tk = train.tokens
    method = args.method or ("dpo" if train.kind == "preference" else "supervised")
    out.write(f"job: {method} fine-tuning of {args.model}")
    extras = [
        f"{name}={value}"
        for name, value in (
            ("epochs", args.epochs),
            ("batch_size", args.batch_size),
            ("learning_rate_multiplier", args.learning_rate_multiplier),
            ("suffix", args.suffix),
            ("seed", args.seed),
        )
        if value is not None
    ]
    out.write(f" ({', '.join(extras)})\n" if extras else "\n")
    if tk and tk.get("estimated_cost_usd") is not None:
        out.write(
            f"cost: about ${tk['estimated_cost_usd']:,.2f} = {tk['billed_tokens']:,} tokens × "
            f"{tk['epochs']} epochs × ${tk['price_per_million']:.2f}/1M "
            f"({tk['model']} price read {tk['price_read']})\n"
        )
    elif tk:
        out.write(
            f"cost: no price known for {tk.get('model')}; {tk.get('billed_tokens_total', 0):,} billed tokens\n"
        )
    out.flush()


def _not_sent(prepared: Any) -> str:
    return (
        f"{prepared.not_sent:,} rows of {prepared.source} could not be converted and are not "
        f"sent (see `ftprep lint {prepared.source}`; `ftprep convert` writes them to a "
        "rejected file)"
    )


def _confirm(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        _err("train: not a terminal, so nothing to ask; pass --yes to go ahead")
        return False
    answer = input(f"{question} [y/N] ").strip().lower()
    return answer in ("y", "yes")


def _reuse_policy(args: argparse.Namespace) -> Any:
    def reuse(file: Any) -> bool:
        if args.no_reuse:
            return False
        if args.yes:
            return True
        if not sys.stdin.isatty():
            return False
        answer = input(
            f"{file.filename} ({file.bytes:,} bytes) is already uploaded as {file.id}. Reuse it? [Y/n] "
        )
        return answer.strip().lower() in ("", "y", "yes")

    return reuse
