"""The session: what a run was asked to do, resolved the same way by every front end.

The CLI, the Python API, the review TUI, the pre-commit hooks (which run the CLI) and Dask
all turn what the user asked for into :class:`~ftprep.pipeline.RunOptions` here, so that
``ftprep lint`` and ``ftprep.lint()`` cannot disagree in the same repository:

- what was asked (flags or keywords) over the project config (``ftprep.toml`` or
  ``[tool.ftprep]`` nearest the first input): the selection lists add up, the rest is the
  asked value or else the config's, and the config's severities, models and rule options
  apply;
- the baseline: the one asked for, else the config's, else ``ftprep-baseline.json`` beside
  the config (or in the working directory);
- per file: the config's per-file ignores and reading settings (``[tool.ftprep.files."GLOB"]``)
  where nothing was asked;
- the pairing of a training file with its validation file from the config's ``splits``,
  whatever files pre-commit happened to pass in one chunk.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ftprep.conversion import Mapping, parse_map_args
from ftprep.core.baseline import DEFAULT_BASELINE
from ftprep.core.errors import ConfigError
from ftprep.core.project import ProjectConfig, load_project_config
from ftprep.core.reasons import Reason
from ftprep.pipeline import LintRun, RunOptions, StageProgress, lint_files
from ftprep.readers import ReadOptions

# A split to lint: (split name, path or open source).
SplitInput = tuple[str, Any]


@dataclass(frozen=True)
class Pairing:
    """The splits to lint for one input, and which of them to report (None: all)."""

    inputs: list[SplitInput]
    keep: set[str] | None = None


@dataclass(frozen=True)
class Session:
    """One run's resolved options, and the project config they came from (None when the
    run is isolated or no config was found)."""

    options: RunOptions
    config: ProjectConfig | None

    def for_path(self, path: str) -> RunOptions:
        """The options for one file: the config's per-file ignores added, and how the file
        is read and mapped (``[tool.ftprep.files."GLOB"]``) where nothing was asked."""
        options, config = self.options, self.config
        if config is None or path == "-":
            return options
        extra = config.ignores_for(path)
        if extra:
            options = replace(options, ignore=[*options.ignore, *extra])
        settings = config.reading_for(path)
        if not settings:
            return options
        if options.mapping.is_empty and any(k in settings for k in ("map", "template", "to")):
            templates = settings.get("template", [])
            options = replace(
                options,
                mapping=parse_map_args(
                    [f"{role}={column}" for role, column in settings.get("map", {}).items()],
                    [templates] if isinstance(templates, str) else list(templates),
                    settings.get("system"),
                    settings.get("to"),
                ),
            )
        defaults, read = ReadOptions(), options.read
        given = {
            key: settings[key]
            for key in ("sheet", "encoding", "delimiter", "header", "quoting", "format")
            if key in settings and getattr(read, key) == getattr(defaults, key)
        }
        return replace(options, read=replace(read, **given)) if given else options

    def pairing(
        self,
        path: str,
        *,
        position: int = 0,
        inputs: Sequence[str] = (),
        valid: str | None = None,
        against: str | None = None,
    ) -> Pairing | None:
        """The splits to lint for ``path``, the ``position``-th of ``inputs``.

        ``valid``/``against`` pair with the first input. Otherwise the config's ``splits``
        decide: the training file is linted with its validation file (leaks, missing
        classes), and each file reports only its own findings, so a file is never reported
        twice and every chunking of the inputs gives the same result. None for a validation
        file whose training file is among the inputs (it is linted with that one).
        """
        if position == 0 and (valid or against):
            return Pairing(split_inputs(path, valid, against))
        config = self.config
        role = config.split_of(path) if config is not None else None
        if config is None or role is None:
            return Pairing([("train", path)])
        here = {os.path.abspath(p) for p in (*inputs, path) if p != "-"}
        other = "valid" if role == "train" else "train"
        other_path = config.resolve(config.splits[other]) if other in config.splits else None
        if other_path is None:
            return Pairing([(role, path)])
        # A configured file that is missing is read anyway: it is reported (IO001).
        if role == "valid" and os.path.abspath(other_path) in here:
            return None
        reference = config.splits.get("against")
        extra = [("reference", config.resolve(reference))] if reference and role == "train" else []
        if role == "train":
            keep = {"train", "valid"} if os.path.abspath(other_path) in here else {"train"}
            return Pairing([("train", path), ("valid", other_path), *extra], keep)
        return Pairing([("train", other_path), ("valid", path)], {"valid"})

    def lint(
        self,
        path: str,
        *,
        position: int = 0,
        inputs: Sequence[str] = (),
        valid: str | None = None,
        against: str | None = None,
        progress: StageProgress | None = None,
        stdin_data: bytes | None = None,
    ) -> tuple[LintRun, RunOptions] | None:
        """Lint one input with the splits it pairs with, reporting only its own; the run
        and the options it used. None when it is linted with its training file instead."""
        paired = self.pairing(path, position=position, inputs=inputs, valid=valid, against=against)
        if paired is None:
            return None
        options = self.for_path(path)
        run = lint_files(paired.inputs, options, progress=progress, stdin_data=stdin_data)
        if paired.keep is not None:
            keep_splits(run, paired.keep)
        return run, options


def open_session(
    start: str = ".",
    *,
    isolated: bool = False,
    baseline: str | None = None,
    use_baseline: bool = True,
    **asked: Any,
) -> Session:
    """The session for a run whose first input is ``start`` (a path; ``.`` for standard
    input or data in memory): its project config unless ``isolated``, and the options of
    :func:`build_options` (``asked``) over it. ``baseline`` names the baseline file;
    ``use_baseline=False`` applies none (conversion and splitting report no findings)."""
    config = None if isolated else load_project_config(start if start != "-" else ".")
    if config is not None:
        _check_per_file_ignores(config)
        asked["profile"] = asked.get("profile") or config.profile
        asked["model"] = asked.get("model") or config.model
        asked["select"] = asked.get("select") or config.select
        asked["extend_select"] = [*config.extend_select, *(asked.get("extend_select") or [])]
        asked["ignore"] = [*config.ignore, *(asked.get("ignore") or [])]
        asked["fail_on"] = asked.get("fail_on") or config.fail_on
        rules = {code: dict(values) for code, values in config.rules.items()}
        for code, values in (asked.get("rule_options") or {}).items():
            rules[code] = {**rules.get(code, {}), **values}
        asked["rule_options"] = rules
    if not use_baseline:
        asked["baseline"] = None
    elif baseline is not None:
        asked["baseline"] = str(baseline)
    elif config is not None:
        asked["baseline"] = str(config.resolve(config.baseline or DEFAULT_BASELINE))
    else:
        asked["baseline"] = DEFAULT_BASELINE
    options = build_options(**asked)
    if config is not None:
        options.severity = dict(config.severity)
        options.models = dict(config.models)
    return Session(options, config)


def build_options(
    *,
    profile: str | None = None,
    model: str | None = None,
    select: list[str] | None = None,
    extend_select: list[str] | None = None,
    ignore: list[str] | None = None,
    mapping: dict[str, str] | Mapping | None = None,
    template: str | list[str] | None = None,
    system: str | None = None,
    to: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    header: bool = True,
    quoting: bool | None = None,
    input_format: str | None = None,
    workers: int | None = None,
    fail_on: str | None = None,
    rule_options: dict[str, dict[str, Any]] | None = None,
    epochs: int | None = None,
    baseline: str | None = None,
    tokenizer: str | None = None,
    trainer: str | None = None,
    max_length: int | None = None,
    loss: str | None = None,
) -> RunOptions:
    """What was asked, as :class:`RunOptions` (no project config: see :func:`open_session`)."""
    rule_options = dict(rule_options or {})
    if epochs is not None:  # the cost estimate's epochs (TK004's option)
        from ftprep.rules.tokens.token_summary import TokenSummary

        code = TokenSummary.code
        rule_options[code] = {**rule_options.get(code, {}), "epochs": epochs}
    if isinstance(mapping, Mapping):
        parsed = mapping
    else:
        templates = [template] if isinstance(template, str) else list(template or [])
        pairs = mapping.items() if isinstance(mapping, MappingABC) else []
        parsed = parse_map_args(
            [f"{role}={column}" for role, column in pairs], templates, system, to
        )
    return RunOptions(
        profile=profile,
        model=model,
        select=list(select) if select else None,
        extend_select=list(extend_select or []),
        ignore=list(ignore or []),
        read=ReadOptions(
            encoding=encoding,
            sheet=sheet,
            delimiter=delimiter,
            header=header,
            quoting=quoting,
            format=input_format,
        ),
        mapping=parsed,
        workers=workers,
        rule_options=rule_options,
        fail_on=fail_on,
        baseline=baseline,
        tokenizer=str(tokenizer) if tokenizer is not None else None,
        trainer=trainer,
        max_length=max_length,
        loss=loss,
    )


def split_inputs(path: Any, valid: Any = None, against: Any = None) -> list[SplitInput]:
    """The splits of a run: train, then the validation file and the evaluation set if given."""
    return (
        [("train", path)]
        + ([("valid", valid)] if valid is not None else [])
        + ([("reference", against)] if against is not None else [])
    )


def keep_splits(run: LintRun, keep: set[str]) -> None:
    """Report only these splits (the others were read for context), and any that could not
    be read at all: a configured file that is missing must not pass in silence."""
    pairs = [
        (r, o)
        for r, o in zip(run.results, run.opened, strict=True)
        if r.split in keep or any(d.code == Reason.UNREADABLE_FILE.code for d in r.diagnostics)
    ]
    run.results = [r for r, _ in pairs]
    run.opened = [o for _, o in pairs]


def _check_per_file_ignores(config: ProjectConfig) -> None:
    """Rule names in per-file-ignores are checked even when no file matches their glob."""
    from ftprep.core.selection import resolve
    from ftprep.rules import REGISTRY, RESERVED

    for glob, codes in config.per_file_ignores.items():
        try:
            resolve(codes, list(REGISTRY.values()), RESERVED)
        except ConfigError as exc:
            raise ConfigError(f"{config.path}: per-file-ignores {glob!r}: {exc}") from None


# Findings whose records (and related records) the HTML report shows in full, per rule.
EXCERPTS_PER_RULE = 50
EXCERPT_CHARS = 600


def related_excerpts(run: LintRun) -> dict[tuple[str, int], str]:
    """The texts of the records that findings with related records point at (duplicates,
    near-duplicates, leaks), the first few per rule, read again from the inputs.

    The lint keeps no texts; a report shows a capped few, so a second read of those records
    costs one pass over the file at most and never holds the dataset.
    """
    from ftprep.core.linter import fetch_records
    from ftprep.core.texts import record_texts

    shown: Counter[str] = Counter()
    wanted: dict[str, set[int]] = {}
    for d in run.diagnostics:
        if not d.related or d.record is None or shown[d.code] >= EXCERPTS_PER_RULE:
            continue
        shown[d.code] += 1
        wanted.setdefault(d.file, set()).add(d.record)
        for r in d.related:
            if r.record is not None:
                wanted.setdefault(r.file, set()).add(r.record)

    def excerpt(record: Any) -> str:
        parts = [f"{role}: {text}" for _, text, role in record_texts(record)]
        text = "\n".join(parts)
        return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"

    out: dict[tuple[str, int], str] = {}
    for result, opened in zip(run.results, run.opened, strict=True):
        indexes = wanted.get(result.info.file)
        if opened is None or not indexes:
            continue
        found = fetch_records(opened.source, indexes, opened.kind, keep=excerpt)
        out.update(((result.info.file, index), text) for index, text in found.items())
    return out
