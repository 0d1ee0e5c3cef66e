"""Project configuration: ``ftprep.toml`` or ``[tool.ftprep]`` in ``pyproject.toml``.

Found by walking up from the data file, as ruff and sqlfluff do, so the same settings apply
whether ftprep runs from the repository root, a subdirectory or a pre-commit hook.
"""

from __future__ import annotations

import difflib
import os
import sys
from typing import Any

from ftprep.core.errors import ConfigError

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
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def unknown_key_error(where: str, key: str, known: list[str]) -> ConfigError:
    """'unknown key' with a did-you-mean, the message every config check uses."""
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(sorted(known))}"
    return ConfigError(f"{where}: unknown key {key!r}{hint}")
