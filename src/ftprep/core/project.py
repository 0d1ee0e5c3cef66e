"""Project configuration: ``ftprep.toml`` or ``[tool.ftprep]`` in ``pyproject.toml``.

Found by walking up from the data file, as ruff and sqlfluff do, so the same settings apply
whether ftprep runs from the repository root, a subdirectory or a pre-commit hook.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from ftprep.core.errors import ConfigError, closest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def find_project_config(start: str) -> tuple[str, dict[str, Any]] | None:
    """The nearest config at or above ``start``: (path, the ftprep table), or None."""
    here = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        candidate = os.path.join(here, "ftprep.toml")
        if os.path.isfile(candidate):
            return candidate, _read(candidate)
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            table = _read(candidate).get("tool", {}).get("ftprep")
            if isinstance(table, dict):
                return candidate, table
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _read(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not a TOML text file (byte 0x{exc.object[exc.start]:02x} at offset "
            f"{exc.start} is not UTF-8); fix or remove it"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None


def unknown_key_error(where: str, key: str, known: list[str]) -> ConfigError:
    """'unknown key' with a did-you-mean, the message every config check uses."""
    close = closest(key, known)
    hint = f"; did you mean {close!r}?" if close else f"; known: {', '.join(sorted(known))}"
    return ConfigError(f"{where}: unknown key {key!r}{hint}")


PROJECT_KEYS = (
    "profile",
    "model",
    "select",
    "extend-select",
    "ignore",
    "fail-on",
    "severity",
    "rules",
    "per-file-ignores",
    "splits",
    "baseline",
    "review",
    "files",
    "models",
)
SPLIT_KEYS = ("train", "valid", "against")
# How one file is read, by glob (`[tool.ftprep.files."data/faq.csv"]`): the reading and
# mapping flags, for tools that cannot pass them per file (pre-commit).
FILE_KEYS = (
    "map",
    "template",
    "system",
    "to",
    "sheet",
    "encoding",
    "delimiter",
    "header",
    "quoting",
    "format",
)


@dataclass(frozen=True)
class ProjectConfig:
    """The settings of ``[tool.ftprep]`` / ``ftprep.toml``; paths are relative to ``root``."""

    path: str
    root: str
    profile: str | None = None
    model: str | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    severity: dict[str, str] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    splits: dict[str, str] = field(default_factory=dict)
    baseline: str | None = None
    review: dict[str, Any] = field(default_factory=dict)  # [review]: keys for ftprep review
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # glob -> how to read it
    models: dict[str, dict[str, Any]] = field(default_factory=dict)  # more rows of models.toml

    def resolve(self, relative: str) -> str:
        """A config path as the user would type it here: relative to the working directory
        when inside it (so reports name files the same way), else absolute."""
        full = os.path.normpath(os.path.join(self.root, relative))
        here = os.getcwd()
        if os.path.commonpath([full, here]) == here:
            return os.path.relpath(full, here)
        return full

    def ignores_for(self, path: str) -> list[str]:
        """Rules the per-file-ignores globs switch off for ``path``."""
        if path == "-":
            return []
        rel = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        out: list[str] = []
        for pattern, codes in self.per_file_ignores.items():
            if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(
                os.path.basename(rel), pattern
            ):
                out += [c for c in codes if c not in out]
        return out

    def reading_for(self, path: str) -> dict[str, Any] | None:
        """How ``path`` is read and mapped, from the first ``files`` glob it matches."""
        if path == "-" or not self.files:
            return None
        rel = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        for pattern, settings in self.files.items():
            if fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(
                os.path.basename(rel), pattern
            ):
                return settings
        return None

    def split_of(self, path: str) -> str | None:
        """'train' or 'valid' when ``path`` is the configured file of that split."""
        if path == "-":
            return None
        here = os.path.abspath(path)
        for split in ("train", "valid"):
            if split in self.splits and os.path.abspath(self.resolve(self.splits[split])) == here:
                return split
        return None


def load_project_config(start: str) -> ProjectConfig | None:
    """The project config at or above ``start`` (a file or directory), checked, or None."""
    found = find_project_config(start)
    if found is None:
        return None
    path, table = found
    where = f"{path}: [tool.ftprep]" if path.endswith("pyproject.toml") else path
    for key in table:
        if key not in PROJECT_KEYS:
            raise unknown_key_error(where, key, list(PROJECT_KEYS))
    splits = _table(table, "splits", where)
    for key in splits:
        if key not in SPLIT_KEYS:
            raise unknown_key_error(f"{where}: splits", key, list(SPLIT_KEYS))
    per_file = _table(table, "per-file-ignores", where)
    files = _table(table, "files", where)
    for glob, settings in files.items():
        if not isinstance(settings, dict):
            raise ConfigError(f"{where}: files {glob!r} must be a table of reading options")
        for key in settings:
            if key not in FILE_KEYS:
                raise unknown_key_error(f"{where}: files {glob!r}", key, list(FILE_KEYS))
        if "map" in settings and not isinstance(settings["map"], dict):
            raise ConfigError(f"{where}: files {glob!r}: map must be a table (role = column)")
    return ProjectConfig(
        path=path,
        root=os.path.dirname(os.path.abspath(path)),
        profile=_str(table, "profile", where),
        model=_str(table, "model", where),
        select=_list(table, "select", where) if "select" in table else None,
        extend_select=_list(table, "extend-select", where),
        ignore=_list(table, "ignore", where),
        fail_on=_str(table, "fail-on", where),
        severity={str(k): str(v) for k, v in _table(table, "severity", where).items()},
        rules={str(k): dict(v) for k, v in _table(table, "rules", where).items()},
        per_file_ignores={
            str(glob): _list(per_file, glob, f"{where}: per-file-ignores") for glob in per_file
        },
        splits={k: str(v) for k, v in splits.items()},
        baseline=_str(table, "baseline", where),
        review=_table(table, "review", where),
        files={str(glob): dict(settings) for glob, settings in files.items()},
        models={str(k): dict(v) for k, v in _table(table, "models", where).items()},
    )


def _str(table: dict[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}: {key!r} must be a string")
    return value


def _list(table: dict[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {key!r} must be a list of rule codes or names")
    return value


def _table(table: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict) or not all(
        isinstance(v, (dict, str, list)) for v in value.values()
    ):
        raise ConfigError(f"{where}: {key!r} must be a table")
    return value
