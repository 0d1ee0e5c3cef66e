"""Baselines: findings a person chose to ignore, so lint stops reporting them.

Data files hold no comments, so suppressions live beside them, keyed by the record's
content hash, the rule and the pointer: wherever the record goes (a reviewed copy, the next
data drop, the split files), its ignored findings stay ignored. Findings about a whole file
(no record) are keyed by the file too. ``file`` also says where an entry was made; an entry
that matches no finding of that file is stale (the record changed or was fixed) and is
reported so the baseline can be pruned.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from ftprep.core.fingerprint import DATASET
from ftprep.core.json_file import read_model, write_json

DEFAULT_BASELINE = "ftprep-baseline.json"
BASELINE_VERSION = 1


class BaselineEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    record: str
    code: str
    pointer: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.file, self.record, self.code, self.pointer)

    @property
    def match(self) -> tuple[str, str, str, str]:
        """What a finding must share to be hidden: the file only for file-level findings."""
        return match_key(self.file, self.record, self.code, self.pointer)


def match_key(file: str, record: str, code: str, pointer: str) -> tuple[str, str, str, str]:
    return ("" if record != DATASET else file, record, code, pointer)


class Baseline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = BASELINE_VERSION
    entries: list[BaselineEntry] = []

    def add(self, entries: Iterable[BaselineEntry]) -> int:
        """Add entries not already present; returns how many were new."""
        known = {e.key for e in self.entries}
        added = 0
        for entry in entries:
            if entry.key not in known:
                self.entries.append(entry)
                known.add(entry.key)
                added += 1
        return added

    def dump(self, path: str) -> None:
        ordered = sorted(self.entries, key=lambda e: e.key)
        data = {"version": self.version, "entries": [e.model_dump() for e in ordered]}
        write_json(path, data)

    @classmethod
    def load(cls, path: str) -> Baseline:
        return read_model(cls, path, "baseline")

    @classmethod
    def load_or_empty(cls, path: str) -> Baseline:
        return cls.load(path) if os.path.exists(path) else cls()


def baseline_file_name(path: str, baseline_path: str) -> str:
    """How a data file is named in a baseline: relative to the baseline's directory, POSIX."""
    if path == "-":
        return "<stdin>"
    base_dir = os.path.dirname(os.path.abspath(baseline_path))
    rel = os.path.relpath(os.path.abspath(path), base_dir)
    return rel.replace(os.sep, "/")
