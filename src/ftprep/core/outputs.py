"""Where a run may write: checked before anything is opened for writing.

A tool trusted with a team's only copy of its data must never write over it by accident:
two of a run's paths (its inputs, the output, the rejected file, the fix log, the
validation output...) naming one file would destroy data, whatever the spelling of the
paths (``./a.jsonl`` and ``a.jsonl``, a symbolic link and its target). Outputs go into an
existing directory only, and carry the extension of what is written into them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from ftprep.core.errors import UsageError

# What ftprep writes: JSONL (and Parquet from convert and lint --fix).
WRITTEN_EXTENSIONS = (".jsonl", ".ndjson", ".parquet")


def real(path: str) -> str:
    """The file a path names, symbolic links resolved."""
    return os.path.realpath(path)


def check_paths(
    command: str,
    inputs: Iterable[tuple[str, str | None]],
    outputs: Iterable[tuple[str, str | None]],
) -> None:
    """Refuse a run whose paths collide, or whose outputs cannot be written as asked.

    ``inputs`` and ``outputs`` are (what, path) pairs (``-`` and None are skipped); an
    in-place fix lists its input among the inputs only.
    """
    seen: dict[str, str] = {}
    for what, path in [*inputs, *outputs]:
        if path is None or path == "-":
            continue
        key = real(path)
        if key in seen:
            in_place_hint = command == "lint --fix" and what == "-o" and "input" in seen[key]
            raise UsageError(
                f"{command}: {what} {path} and {seen[key]} are the same file; writing one "
                "would destroy the other. Choose another path"
                + (" (or --in-place, for a JSONL input)" if in_place_hint else "")
            )
        seen.setdefault(key, f"{what} {path}")
    for what, path in outputs:
        if path is None or path == "-":
            continue
        check_writable(command, what, path)


def check_writable(command: str, what: str, path: str) -> None:
    """The output must be a file in an existing directory (never created silently)."""
    if os.path.isdir(path):
        raise UsageError(f"{command}: {what} {path} is a directory; give a file name")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(
            f"{command}: {what} {path}: the directory {directory} does not exist; create it first"
        )
    if not os.access(directory, os.W_OK):
        raise UsageError(f"{command}: {what} {path}: the directory {directory} is not writable")


def check_extension(command: str, what: str, path: str | None) -> None:
    """ftprep writes JSONL (or Parquet): an output named ``x.csv`` would hold JSONL."""
    if path is None or path == "-":
        return
    if not path.lower().endswith(WRITTEN_EXTENSIONS):
        raise UsageError(
            f"{command}: {what} {path} would hold JSONL under another extension; name it "
            f"{os.path.splitext(path)[0]}.jsonl (or .parquet)"
        )
